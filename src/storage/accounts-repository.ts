import type { Kysely, Selectable } from 'kysely';
import type { Account } from '../domain/account.js';
import type { AccountsTable, Database } from './schema.js';

function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    parentId: row.parent_id,
    liveEnabled: row.live_enabled === 1,
    allowedOrigins: JSON.parse(row.allowed_origins) as string[],
    createdAt: row.created_at,
  };
}

export class AccountsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(account: Account): Promise<void> {
    await this.db
      .insertInto('accounts')
      .values({
        id: account.id,
        type: account.type,
        name: account.name,
        parent_id: account.parentId,
        live_enabled: account.liveEnabled ? 1 : 0,
        allowed_origins: JSON.stringify(account.allowedOrigins),
        created_at: account.createdAt,
      })
      .execute();
  }

  async findById(id: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toAccount(row);
  }

  async findOperator(): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('type', '=', 'operator').executeTakeFirst();
    return row === undefined ? undefined : toAccount(row);
  }

  /** Accounts a caller can see: the operator all, a partner itself and its sub-merchants, a merchant itself. */
  async listVisibleTo(viewer: Pick<Account, 'id' | 'type'>): Promise<Account[]> {
    let query = this.db.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id');
    if (viewer.type !== 'operator') {
      query = query.where((eb) => eb.or([eb('id', '=', viewer.id), eb('parent_id', '=', viewer.id)]));
    }
    return (await query.execute()).map(toAccount);
  }

  async updateSettings(id: string, settings: { name: string; allowedOrigins: string[] }): Promise<void> {
    await this.db.updateTable('accounts').set({ name: settings.name, allowed_origins: JSON.stringify(settings.allowedOrigins) }).where('id', '=', id).execute();
  }

  async setLiveEnabled(id: string, enabled: boolean): Promise<void> {
    await this.db.updateTable('accounts').set({ live_enabled: enabled ? 1 : 0 }).where('id', '=', id).execute();
  }
}
