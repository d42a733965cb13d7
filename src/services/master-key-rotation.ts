import type { MasterKeyring } from '../crypto/master-key.js';
import type { Unsealer } from './auth-entry.js';
import { idempotencyAad } from './idempotency.js';
import { signingSecretAad } from './key-signing.js';
import type { SealedColumn, SealedValuesRepository } from '../storage/sealed-values-repository.js';

/** Every value Tessera seals under the master key, and what each is bound to. */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'credentials', keyColumns: ['id'], column: 'signing_secret_sealed', aad: (row) => signingSecretAad(row.id!) },
  { table: 'idempotency_records', keyColumns: ['scope', 'key_digest'], column: 'response_sealed', aad: (row) => idempotencyAad(row.scope!, row.key_digest!) },
];

export interface ReencryptionReport {
  /** Values re-sealed, by table.column. */
  counts: Record<string, number>;
}

/**
 * Re-seals every stored value that is not under the current master key. Each
 * row is replaced only if it still holds the ciphertext that was read, so a
 * concurrent writer is never overwritten; the loop runs until no value under
 * another key is left.
 */
export async function reencryptAll(repository: SealedValuesRepository, keyring: MasterKeyring, unseal: Unsealer, batchSize = 500): Promise<ReencryptionReport> {
  const counts: Record<string, number> = {};
  for (const column of SEALED_COLUMNS) {
    const name = `${column.table}.${column.column}`;
    counts[name] = 0;
    for (;;) {
      const rows = await repository.notSealedUnder(column, keyring.current.id, batchSize);
      if (rows.length === 0) break;
      for (const row of rows) {
        const aad = column.aad(row.keys);
        const resealed = keyring.seal(unseal(row.sealed, aad), aad);
        if (await repository.replace(column, row.keys, row.sealed, resealed)) counts[name]++;
      }
    }
  }
  return { counts };
}
