import type { Kysely } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { Database } from './schema.js';

export interface CheckoutPageKey {
  accountId: string;
  environment: Environment;
  credentialId: string;
  secretSealed: string;
}

/** The publishable key the hosted checkout page uses, per account and environment. */
export class CheckoutPageKeysRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(accountId: string, environment: Environment): Promise<CheckoutPageKey | undefined> {
    const row = await this.db.selectFrom('checkout_page_keys').selectAll().where('account_id', '=', accountId).where('environment', '=', environment).executeTakeFirst();
    return row === undefined ? undefined : { accountId: row.account_id, environment: row.environment, credentialId: row.credential_id, secretSealed: row.secret_sealed };
  }

  /** False when another request stored one first: use that one. */
  async insert(key: CheckoutPageKey, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto('checkout_page_keys')
      .values({ account_id: key.accountId, environment: key.environment, credential_id: key.credentialId, secret_sealed: key.secretSealed, created_at: now })
      .onConflict((oc) => oc.columns(['account_id', 'environment']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Swaps in a new key only if the stored one is still `previousCredentialId` (it was deleted). */
  async replace(key: CheckoutPageKey, previousCredentialId: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('checkout_page_keys')
      .set({ credential_id: key.credentialId, secret_sealed: key.secretSealed, created_at: now })
      .where('account_id', '=', key.accountId)
      .where('environment', '=', key.environment)
      .where('credential_id', '=', previousCredentialId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
