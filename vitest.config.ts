import { defineConfig } from 'vitest/config';

/**
 * Three projects: pure unit tests once, and every end-to-end test twice, on
 * the embedded SQLite database and on a real PostgreSQL server (a throwaway
 * cluster the global setup starts, or the one DATABASE_URL names).
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'sqlite',
          include: ['test/e2e/**/*.test.ts'],
          env: { TESSERA_TEST_DB: 'sqlite' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'postgres',
          include: ['test/e2e/**/*.test.ts'],
          env: { TESSERA_TEST_DB: 'postgres' },
          globalSetup: ['test/helpers/postgres-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
