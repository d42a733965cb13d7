import { createDecipheriv, createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { testDatabaseKind } from './database.js';

export interface DumpedRow {
  table: string;
  row: Record<string, unknown>;
  /** Every cell as text, for scanning. */
  text: string;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Buffer.isBuffer(value)) return `${value.toString('latin1')} ${value.toString('hex')} ${value.toString('base64')}`;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Every row of every table, read beside the server as a DBA would: SQLite
 * through its own connection (which sees the WAL), PostgreSQL as
 * row_to_json of every base table in every schema.
 */
export async function dumpRows(env: Record<string, string>): Promise<{ tables: string[]; rows: DumpedRow[] }> {
  if (testDatabaseKind() === 'sqlite') {
    const db = new SqliteDatabase(join(env.TESSERA_DATA_DIR!, 'tessera.sqlite'), { fileMustExist: true, readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      const rows: DumpedRow[] = [];
      for (const table of tables) {
        for (const row of db.prepare(`SELECT * FROM "${table.replace(/"/g, '""')}"`).all() as Array<Record<string, unknown>>) {
          rows.push({ table, row, text: Object.values(row).map(cellText).join(' | ') });
        }
      }
      return { tables, rows };
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    const { rows: tableRows } = await client.query<{ table_schema: string; table_name: string }>(
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    );
    const rows: DumpedRow[] = [];
    for (const { table_schema, table_name } of tableRows) {
      const dump = await client.query<{ row: Record<string, unknown> }>(`SELECT row_to_json(t) AS row FROM ${client.escapeIdentifier(table_schema)}.${client.escapeIdentifier(table_name)} t`);
      for (const { row } of dump.rows) rows.push({ table: table_name, row, text: JSON.stringify(row) });
    }
    return { tables: tableRows.map((r) => r.table_name), rows };
  } finally {
    await client.end();
  }
}

/** Every file's bytes. */
export function rawFileBytes(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const files = (readdirSync(dir, { recursive: true }) as string[]).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
  // Read in another process: opening and closing the live SQLite file from the server's own
  // process would drop the server's POSIX locks on it (and let its WAL be deleted under it).
  for (const file of files) out.set(file, execFileSync('cat', [file], { maxBuffer: 1 << 30 }));
  return out;
}

/** Every file's bytes as text three ways (latin1, UTF-8, hex), so that no encoding hides a match. */
export function rawFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, bytes] of rawFileBytes(dir)) out.set(file, `${bytes.toString('latin1')}\n${bytes.toString('utf8')}\n${bytes.toString('hex')}`);
  return out;
}

/** The forms a leaked secret could take at rest: whole, its random part and pieces of it, encoded. */
export function secretNeedles(secret: string): string[] {
  const random = secret.slice(secret.lastIndexOf('_') + 1);
  return [secret, random, random.slice(0, 33), random.slice(4, 30), random.slice(-16), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), Buffer.from(secret).toString('hex')];
}

export function findSecrets(haystack: string, secrets: Iterable<string>): string[] {
  const found: string[] = [];
  for (const secret of secrets) for (const needle of secretNeedles(secret)) if (haystack.includes(needle)) found.push(`${secret.slice(0, 18)}… as ${needle.slice(0, 10)}…`);
  return found;
}

/** A master key's id, computed here as the README's format says: the first 10 base64url characters of its SHA-256. */
export function masterKeyIdOf(base64Key: string): string {
  return createHash('sha256').update(Buffer.from(base64Key.trim(), 'base64')).digest('base64url').slice(0, 10);
}

/** The master keys in a key file, current first. */
export function readMasterKeyFile(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Opens `mk1.<key id>.<base64url(nonce | ciphertext | tag)>` with AES-256-GCM, independently of Tessera's code. */
export function openSealed(sealed: string, base64Key: string, associatedData: string): Buffer {
  const [format, , payload] = sealed.split('.');
  if (format !== 'mk1' || payload === undefined) throw new Error(`not a sealed value: ${sealed.slice(0, 20)}`);
  const body = Buffer.from(payload, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(base64Key, 'base64'), body.subarray(0, 12));
  decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]);
}

/** Every sealed value anywhere in the database, with the master key id it names. */
export function sealedValues(rows: readonly DumpedRow[]): Array<{ table: string; keyId: string; value: string }> {
  const out: Array<{ table: string; keyId: string; value: string }> = [];
  for (const { table, text } of rows) for (const match of text.matchAll(/mk1\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+/g)) out.push({ table, keyId: match[1]!, value: match[0] });
  return out;
}
