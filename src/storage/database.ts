import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The raw SQLite handle, for change detection (`PRAGMA data_version`). */
  sqlite: SqliteDatabase.Database | null;
  /** PostgreSQL connection settings, for the change listener's own connection. */
  postgresUrl: string | null;
  describe: string;
  close(): Promise<void>;
}

/**
 * Writers start with BEGIN IMMEDIATE: a deferred transaction that reads and
 * then writes can fail with SQLITE_BUSY when another process (the CLI) holds
 * the write lock, instead of waiting for busy_timeout.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

// bigint columns (epoch milliseconds, counts) come back as numbers, as in SQLite.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function openSqlite(path: string): OpenedDatabase {
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    postgresUrl: null,
    describe: `SQLite at ${path}`,
    close: () => db.destroy(),
  };
}

export function openPostgres(url: string, poolSize = 10): OpenedDatabase {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safe = new URL(url);
  safe.password = '';
  return {
    db,
    dialect: 'postgres',
    sqlite: null,
    postgresUrl: url,
    describe: `PostgreSQL at ${safe.host}${safe.pathname}`,
    close: () => db.destroy(),
  };
}

export function openDatabase(options: { databaseUrl: string | undefined; dataDir: string }): OpenedDatabase {
  if (options.databaseUrl !== undefined) return openPostgres(options.databaseUrl);
  mkdirSync(options.dataDir, { recursive: true });
  return openSqlite(join(options.dataDir, 'tessera.sqlite'));
}
