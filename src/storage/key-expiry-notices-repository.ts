import type { Kysely } from 'kysely';
import type { Database, KeyExpiryNoticesTable } from './schema.js';

export type ExpiryNotice = KeyExpiryNoticesTable['kind'];

export interface ExpiringKey {
  credentialId: string;
  expiresAt: number;
}

/** Which keys were told about their expiry, so the sweep tells each key once, whichever process runs it. */
export class KeyExpiryNoticesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Live (not deleted) keys expiring in [from, to) not yet given this notice, soonest first. */
  async due(kind: ExpiryNotice, from: number, to: number, limit: number): Promise<ExpiringKey[]> {
    const rows = await this.db
      .selectFrom('credentials as c')
      .select(['c.id', 'c.expires_at'])
      .where('c.expires_at', 'is not', null)
      .where('c.expires_at', '>=', from)
      .where('c.expires_at', '<', to)
      .where('c.deleted_at', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('key_expiry_notices as n').select('n.credential_id').whereRef('n.credential_id', '=', 'c.id').whereRef('n.expires_at', '=', 'c.expires_at').where('n.kind', '=', kind))),
      )
      .orderBy('c.expires_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ credentialId: r.id, expiresAt: r.expires_at! }));
  }

  /** Claims the notice; false when another process (or an earlier sweep) already gave it. */
  async claim(credentialId: string, kind: ExpiryNotice, expiresAt: number, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto('key_expiry_notices')
      .values({ credential_id: credentialId, kind, expires_at: expiresAt, created_at: now })
      .onConflict((oc) => oc.columns(['credential_id', 'kind', 'expires_at']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
}
