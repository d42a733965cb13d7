import type { MasterKeyring } from '../crypto/master-key.js';
import type { Environment } from '../domain/environment.js';
import type { Unsealer } from './auth-entry.js';
import { idempotencyAad, idempotencyFingerprintAad } from './idempotency.js';
import { signingSecretAad } from './key-signing.js';
import { webhookSecretAad } from './webhook-service.js';
import { signingKeyAad } from './oauth/token-signing-keys.js';
import { cardTokenAad } from './card-vault.js';
import { checkoutPageKeyAad } from './checkout-page-keys.js';
import type { SealedColumn, SealedValuesRepository } from '../storage/sealed-values-repository.js';

/** Every value Tessera seals under the master key, and what each is bound to. */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'credentials', keyColumns: ['id'], column: 'signing_secret_sealed', aad: (row) => signingSecretAad(row.id!) },
  { table: 'oauth_signing_keys', keyColumns: ['kid'], column: 'private_key_sealed', aad: (row) => signingKeyAad(row.kid!) },
  { table: 'idempotency_records', keyColumns: ['scope', 'key_digest'], column: 'response_sealed', aad: (row) => idempotencyAad(row.scope!, row.key_digest!) },
  { table: 'idempotency_records', keyColumns: ['scope', 'key_digest'], column: 'fingerprint', aad: (row) => idempotencyFingerprintAad(row.scope!, row.key_digest!) },
  { table: 'webhook_endpoints', keyColumns: ['id'], column: 'secret_sealed', aad: (row) => webhookSecretAad(row.id!) },
  { table: 'webhook_endpoints', keyColumns: ['id'], column: 'previous_secret_sealed', aad: (row) => webhookSecretAad(row.id!) },
  { table: 'card_tokens', keyColumns: ['id'], column: 'card_sealed', aad: (row) => cardTokenAad(row.id!) },
  { table: 'checkout_page_keys', keyColumns: ['account_id', 'environment'], column: 'secret_sealed', aad: (row) => checkoutPageKeyAad(row.account_id!, row.environment as Environment) },
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
