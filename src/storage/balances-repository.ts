import type { Kysely } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { BalanceEntry } from '../domain/payments.js';
import type { Database } from './schema.js';

/** Balances move by conditional updates only: never read, computed and written back. */
export class BalancesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(accountId: string, environment: Environment): Promise<BalanceEntry[]> {
    const rows = await this.db.selectFrom('balances').selectAll().where('account_id', '=', accountId).where('environment', '=', environment).orderBy('currency').execute();
    return rows.map((r) => ({ currency: r.currency, available: r.available, updatedAt: r.updated_at }));
  }

  async credit(accountId: string, environment: Environment, currency: string, amount: number, now: number): Promise<void> {
    await this.db
      .insertInto('balances')
      .values({ account_id: accountId, environment, currency, available: amount, updated_at: now })
      .onConflict((oc) => oc.columns(['account_id', 'environment', 'currency']).doUpdateSet((eb) => ({ available: eb('balances.available', '+', eb.ref('excluded.available')), updated_at: now })))
      .execute();
  }

  /** Takes `amount` only if that much is available: false means insufficient funds, and nothing changed. */
  async debit(accountId: string, environment: Environment, currency: string, amount: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('balances')
      .set((eb) => ({ available: eb('available', '-', amount), updated_at: now }))
      .where('account_id', '=', accountId)
      .where('environment', '=', environment)
      .where('currency', '=', currency)
      .where('available', '>=', amount)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
