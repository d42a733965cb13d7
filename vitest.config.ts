import { defineConfig } from 'vitest/config';

/**
 * Four projects: pure unit tests once; every end-to-end test twice, on the
 * embedded SQLite database and on a real PostgreSQL server (a throwaway
 * cluster the global setup starts, or the one DATABASE_URL names); and the
 * browser tests (the dashboard, the hosted checkout page) once, in Debian's
 * Chromium on SQLite: they test pages, and the e2e suites cover the storage
 * behind them on both databases.
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
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          env: { TESSERA_TEST_DB: 'sqlite' },
          testTimeout: 120_000,
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
