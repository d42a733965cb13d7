import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface CredentialChange {
  seq: number;
  credentialId: string;
}

/** The change feed every process reads to drop credentials another process changed. */
export class CredentialChangesRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly notifyChannel: string | null,
  ) {}

  /** PostgreSQL delivers the NOTIFY when the surrounding transaction commits, not before. */
  async record(credentialId: string, now: number): Promise<void> {
    await this.db.insertInto('credential_changes').values({ credential_id: credentialId, created_at: now }).execute();
    if (this.notifyChannel !== null) await sql`select pg_notify(${this.notifyChannel}, ${credentialId})`.execute(this.db);
  }

  async latestSeq(): Promise<number> {
    const row = await this.db.selectFrom('credential_changes').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async since(seq: number, limit = 10_000): Promise<CredentialChange[]> {
    const rows = await this.db
      .selectFrom('credential_changes')
      .select(['seq', 'credential_id'])
      .where('seq', '>', seq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), credentialId: r.credential_id }));
  }

  async pruneBefore(createdAt: number): Promise<void> {
    await this.db.deleteFrom('credential_changes').where('created_at', '<', createdAt).execute();
  }
}
