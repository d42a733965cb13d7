import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { OpenedDatabase } from './database.js';
import * as core from './migrations/001-core.js';
import * as requestSecurity from './migrations/002-request-security.js';
import * as oauth from './migrations/003-oauth.js';
import * as clientSecrets from './migrations/007-client-secrets.js';
import * as webhooks from './migrations/004-webhooks.js';
import * as payments from './migrations/005-payments.js';
import * as dashboard from './migrations/006-dashboard.js';

/** Migrations in order; each receives the dialect for the few statements that differ. */
const MIGRATIONS = { '001-core': core, '002-request-security': requestSecurity, '003-oauth': oauth, '004-webhooks': webhooks, '005-payments': payments, '006-dashboard': dashboard, '007-client-secrets': clientSecrets };

class StaticMigrations implements MigrationProvider {
  constructor(private readonly opened: OpenedDatabase) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, m]) => [name, { up: (db) => m.up(db, this.opened.dialect) }]),
    );
  }
}

export async function migrateToLatest(opened: OpenedDatabase): Promise<string[]> {
  const migrator = new Migrator({ db: opened.db, provider: new StaticMigrations(opened) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
