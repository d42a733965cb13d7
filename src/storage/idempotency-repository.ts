import type { Kysely } from 'kysely';
import type { Database, IdempotencyRecordsTable } from './schema.js';

export type IdempotencyRecord = IdempotencyRecordsTable;

export class IdempotencyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(scope: string, keyDigest: string): Promise<IdempotencyRecord | undefined> {
    return this.db.selectFrom('idempotency_records').selectAll().where('scope', '=', scope).where('key_digest', '=', keyDigest).executeTakeFirst();
  }

  /** Claims the key for one request; false when another request claimed it first. */
  async claim(scope: string, keyDigest: string, fingerprint: string, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto('idempotency_records')
      .values({ scope, key_digest: keyDigest, fingerprint, state: 'in_progress', response_status: null, response_sealed: null, created_at: now })
      .onConflict((oc) => oc.columns(['scope', 'key_digest']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async complete(scope: string, keyDigest: string, status: number, sealed: string): Promise<void> {
    await this.db
      .updateTable('idempotency_records')
      .set({ state: 'done', response_status: status, response_sealed: sealed })
      .where('scope', '=', scope)
      .where('key_digest', '=', keyDigest)
      .execute();
  }

  async release(scope: string, keyDigest: string): Promise<void> {
    await this.db.deleteFrom('idempotency_records').where('scope', '=', scope).where('key_digest', '=', keyDigest).execute();
  }

  async pruneBefore(createdAt: number): Promise<void> {
    await this.db.deleteFrom('idempotency_records').where('created_at', '<', createdAt).execute();
  }
}
