import type { Kysely, Selectable } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { Deposit } from '../domain/payments.js';
import type { DepositsTable } from './payments-schema.js';
import type { Database } from './schema.js';

function toDeposit(row: Selectable<DepositsTable>): Deposit {
  return { id: row.id, accountId: row.account_id, environment: row.environment, amount: row.amount, currency: row.currency, status: row.status, createdAt: row.created_at, approvedAt: row.approved_at };
}

export class DepositsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(deposit: Deposit): Promise<void> {
    await this.db
      .insertInto('deposits')
      .values({ id: deposit.id, account_id: deposit.accountId, environment: deposit.environment, amount: deposit.amount, currency: deposit.currency, status: deposit.status, created_at: deposit.createdAt, approved_at: deposit.approvedAt })
      .execute();
  }

  async findInScope(accountId: string, environment: Environment, id: string): Promise<Deposit | undefined> {
    const row = await this.db.selectFrom('deposits').selectAll().where('id', '=', id).where('account_id', '=', accountId).where('environment', '=', environment).executeTakeFirst();
    return row === undefined ? undefined : toDeposit(row);
  }

  /** pending → approved, once: of concurrent approvals exactly one gets true. */
  async approve(accountId: string, environment: Environment, id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('deposits')
      .set({ status: 'approved', approved_at: now })
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .where('environment', '=', environment)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
