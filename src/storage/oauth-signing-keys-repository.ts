import type { Kysely, Selectable } from 'kysely';
import type { Database, OAuthSigningKeysTable } from './schema.js';

export type StoredSigningKey = Selectable<OAuthSigningKeysTable>;

export class OAuthSigningKeysRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(key: StoredSigningKey): Promise<void> {
    await this.db.insertInto('oauth_signing_keys').values(key).execute();
  }

  /** Keys still published: not retired, or retiring later than `now`. Newest first. */
  async listPublished(now: number): Promise<StoredSigningKey[]> {
    return this.db
      .selectFrom('oauth_signing_keys')
      .selectAll()
      .where((eb) => eb.or([eb('retire_at', 'is', null), eb('retire_at', '>', now)]))
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .execute();
  }

  /** Schedules the retirement of every key that has none yet, except `keepKid`. */
  async retireAllExcept(keepKid: string, retireAt: number): Promise<void> {
    await this.db.updateTable('oauth_signing_keys').set({ retire_at: retireAt }).where('kid', '!=', keepKid).where('retire_at', 'is', null).execute();
  }
}
