import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export class OAuthRevocationsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(jti: string, credentialId: string, expiresAt: number, now: number): Promise<void> {
    await this.db
      .insertInto('oauth_revocations')
      .values({ jti, credential_id: credentialId, expires_at: expiresAt, created_at: now })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }

  /** Revoked token ids that would otherwise still be valid, with their expiry. */
  async listUnexpired(now: number): Promise<{ jti: string; expiresAt: number }[]> {
    const rows = await this.db.selectFrom('oauth_revocations').select(['jti', 'expires_at']).where('expires_at', '>', now).execute();
    return rows.map((r) => ({ jti: r.jti, expiresAt: r.expires_at }));
  }

  async pruneExpired(now: number): Promise<void> {
    await this.db.deleteFrom('oauth_revocations').where('expires_at', '<=', now).execute();
  }
}
