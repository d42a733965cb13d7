import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';
import type { CreateKeyInput } from '../../src/services/key-service.js';
import type { ManagementContext } from '../../src/services/management-context.js';
import type { ApiResponse } from './api.js';
import { testDatabaseKind } from './database.js';
import type { TestServer } from './server.js';

/** SPEC's key format with the default brand: prefix, then 33 random + 6 checksum base62 characters. */
export const SECRET_FORMAT = /^tsr_(sk|rk|pk|cc)_(sandbox|live)_[0-9A-Za-z]{39}$/;

export const KIND_CODES = { secret: 'sk', restricted: 'rk', publishable: 'pk', client: 'cc' } as const;

const CLI: ManagementContext = { actor: { type: 'cli', id: 'cli:test', credentialId: null, ip: null, requestId: null }, environment: null, principal: null };

/**
 * A key of the operator account itself. The operator's secret keys may not
 * mint keys for their own account (a leaked key must not breed), so tests
 * create them the way the operator's CLI does: through the key service.
 */
export async function createOperatorKey(server: TestServer, input: CreateKeyInput): Promise<{ id: string; secret: string }> {
  const operator = await server.tessera.core.accounts.require(server.operatorId);
  const issued = await server.tessera.core.keys.create(operator, input, CLI);
  return { id: issued.credential.id, secret: issued.secret };
}

/** Asserts an error answer: status, catalogue code, request id and, if given, the field it names. */
export function expectError(response: ApiResponse, status: number, code: string, param?: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body.error.code, response.text).toBe(code);
  expect(response.body.error.request_id).toBe(response.headers.get('request-id'));
  if (param !== undefined) expect(response.body.error.param, response.text).toBe(param);
}

/** Polls until `check` stops throwing, or rethrows its last failure after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 3000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** A direct connection to the server's database, beside the server, as an attacker or a DBA would have. */
export interface DirectDatabase {
  /** `?` placeholders on both databases. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a statement; rejects with the database's error. */
  execute(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

export async function openDirectDatabase(server: TestServer, options: { readonly: boolean }): Promise<DirectDatabase> {
  if (testDatabaseKind() === 'sqlite') {
    const db = new SqliteDatabase(join(server.env.TESSERA_DATA_DIR!, 'tessera.sqlite'), { readonly: options.readonly, fileMustExist: true });
    return {
      query: async <Row>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as Row[],
      execute: async (sql: string, params: unknown[] = []) => {
        db.prepare(sql).run(...params);
      },
      close: async () => {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
  await client.connect();
  if (options.readonly) await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    query: async <Row>(sql: string, params: unknown[] = []) => (await client.query(numbered(sql), params)).rows as Row[],
    execute: async (sql: string, params: unknown[] = []) => {
      await client.query(numbered(sql), params);
    },
    close: () => client.end(),
  };
}
