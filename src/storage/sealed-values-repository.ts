import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A column holding values sealed under the master key: `mk1.<key id>.<payload>`. */
export interface SealedColumn {
  table: keyof Database;
  keyColumns: string[];
  column: string;
  /** The associated data the value was sealed with, from its row's key columns. */
  aad(keys: Record<string, string>): string;
}

export interface SealedRow {
  keys: Record<string, string>;
  sealed: string;
}

/** Reads and swaps sealed values for master-key rotation, across every table that has them. */
export class SealedValuesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Values sealed under another master key (values written before a column was sealed are left alone). */
  async notSealedUnder(column: SealedColumn, keyId: string, limit: number): Promise<SealedRow[]> {
    const keys = sql.join(column.keyColumns.map((c) => sql.ref(c)));
    const value = sql.ref(column.column);
    const result = await sql<Record<string, string>>`select ${keys}, ${value} as sealed from ${sql.table(column.table)} where ${value} like 'mk1.%' and ${value} not like ${`mk1.${keyId}.%`} limit ${limit}`.execute(this.db);
    return result.rows.map((row) => ({ keys: Object.fromEntries(column.keyColumns.map((c) => [c, row[c]!])), sealed: row.sealed! }));
  }

  /** Swaps the value only if the row still holds `expected`. */
  async replace(column: SealedColumn, keys: Record<string, string>, expected: string, next: string): Promise<boolean> {
    const conditions = sql.join(
      column.keyColumns.map((c) => sql`${sql.ref(c)} = ${keys[c]}`),
      sql` and `,
    );
    const value = sql.ref(column.column);
    const result = await sql`update ${sql.table(column.table)} set ${value} = ${next} where ${conditions} and ${value} = ${expected}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0n) === 1;
  }
}
