import type { Kysely, Selectable } from 'kysely';
import type { Invitation } from '../domain/user.js';
import type { Database, InvitationsTable } from './schema.js';

function toInvitation(row: Selectable<InvitationsTable>): Invitation {
  return {
    id: row.id,
    email: row.email,
    accountId: row.account_id,
    role: row.role,
    inviterType: row.inviter_type,
    inviterId: row.inviter_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    acceptedUserId: row.accepted_user_id,
  };
}

export class InvitationsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(invitation: Invitation, tokenDigest: string): Promise<void> {
    await this.db
      .insertInto('invitations')
      .values({
        id: invitation.id,
        token_digest: tokenDigest,
        email: invitation.email,
        account_id: invitation.accountId,
        role: invitation.role,
        inviter_type: invitation.inviterType,
        inviter_id: invitation.inviterId,
        created_at: invitation.createdAt,
        expires_at: invitation.expiresAt,
        accepted_at: invitation.acceptedAt,
        accepted_user_id: invitation.acceptedUserId,
      })
      .execute();
  }

  async findByDigest(tokenDigest: string): Promise<Invitation | undefined> {
    const row = await this.db.selectFrom('invitations').selectAll().where('token_digest', '=', tokenDigest).executeTakeFirst();
    return row === undefined ? undefined : toInvitation(row);
  }

  /** Invitations of an account not accepted yet and not expired, newest first. */
  async listPending(accountId: string, now: number): Promise<Invitation[]> {
    const rows = await this.db
      .selectFrom('invitations')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('accepted_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toInvitation);
  }

  async findById(accountId: string, id: string): Promise<Invitation | undefined> {
    const row = await this.db.selectFrom('invitations').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
    return row === undefined ? undefined : toInvitation(row);
  }

  /** Marks it accepted, once: answers false when another request got there first, or it expired meanwhile. */
  async accept(id: string, userId: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('invitations')
      .set({ accepted_at: at, accepted_user_id: userId })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Withdraws a pending invitation by ending it now. */
  async expire(id: string, at: number): Promise<void> {
    await this.db.updateTable('invitations').set({ expires_at: at }).where('id', '=', id).where('accepted_at', 'is', null).execute();
  }
}
