import type { Kysely, Selectable } from 'kysely';
import type { DashboardSession } from '../domain/user.js';
import type { DashboardSessionsTable, Database } from './schema.js';

function toSession(row: Selectable<DashboardSessionsTable>): DashboardSession {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

export class DashboardSessionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(session: DashboardSession, tokenDigest: string): Promise<void> {
    await this.db
      .insertInto('dashboard_sessions')
      .values({
        id: session.id,
        token_digest: tokenDigest,
        user_id: session.userId,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
        expires_at: session.expiresAt,
        revoked_at: session.revokedAt,
        ip: session.ip,
        user_agent: session.userAgent,
      })
      .execute();
  }

  async findByDigest(tokenDigest: string): Promise<DashboardSession | undefined> {
    const row = await this.db.selectFrom('dashboard_sessions').selectAll().where('token_digest', '=', tokenDigest).executeTakeFirst();
    return row === undefined ? undefined : toSession(row);
  }

  /** Sessions of a user that may still work (not revoked, before their absolute end), newest first. */
  async listActive(userId: string, now: number): Promise<DashboardSession[]> {
    const rows = await this.db
      .selectFrom('dashboard_sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toSession);
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db.updateTable('dashboard_sessions').set({ last_seen_at: at }).where('id', '=', id).where('last_seen_at', '<', at).execute();
  }

  /** Revokes one session of this user; answers whether it was active. */
  async revoke(userId: string, id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('dashboard_sessions')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async pruneBefore(before: number): Promise<void> {
    await this.db.deleteFrom('dashboard_sessions').where('expires_at', '<', before).execute();
  }
}
