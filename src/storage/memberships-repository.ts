import type { Kysely, Selectable } from 'kysely';
import type { Role } from '../domain/roles.js';
import type { Membership } from '../domain/user.js';
import type { Database, MembershipsTable } from './schema.js';

function toMembership(row: Selectable<MembershipsTable>): Membership {
  return { userId: row.user_id, accountId: row.account_id, role: row.role, createdAt: row.created_at };
}

export class MembershipsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** PostgreSQL: row locks (FOR UPDATE); SQLite runs one writing transaction at a time anyway. */
    private readonly lockRows: boolean,
  ) {}

  /** False when the user is already a member of the account. */
  async insert(membership: Membership): Promise<boolean> {
    const result = await this.db
      .insertInto('memberships')
      .values({ user_id: membership.userId, account_id: membership.accountId, role: membership.role, created_at: membership.createdAt })
      .onConflict((oc) => oc.columns(['user_id', 'account_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async find(userId: string, accountId: string): Promise<Membership | undefined> {
    const row = await this.db.selectFrom('memberships').selectAll().where('user_id', '=', userId).where('account_id', '=', accountId).executeTakeFirst();
    return row === undefined ? undefined : toMembership(row);
  }

  async listByUser(userId: string): Promise<Membership[]> {
    const rows = await this.db.selectFrom('memberships').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map(toMembership);
  }

  async listByAccount(accountId: string): Promise<Membership[]> {
    const rows = await this.db.selectFrom('memberships').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('user_id').execute();
    return rows.map(toMembership);
  }

  /**
   * The account's owners, their rows locked until the transaction ends: two owners demoting or
   * removing each other at once must not both see "there is another owner" and leave none.
   * (Under READ COMMITTED the second waits, then re-reads the rows the first changed.)
   */
  async countOwnersForUpdate(accountId: string): Promise<number> {
    const query = this.db.selectFrom('memberships').select('user_id').where('account_id', '=', accountId).where('role', '=', 'owner');
    return (await (this.lockRows ? query.forUpdate() : query).execute()).length;
  }

  async updateRole(userId: string, accountId: string, role: Role): Promise<void> {
    await this.db.updateTable('memberships').set({ role }).where('user_id', '=', userId).where('account_id', '=', accountId).execute();
  }

  async delete(userId: string, accountId: string): Promise<void> {
    await this.db.deleteFrom('memberships').where('user_id', '=', userId).where('account_id', '=', accountId).execute();
  }
}
