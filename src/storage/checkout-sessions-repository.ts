import type { Kysely, Selectable } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { CheckoutSession } from '../domain/payments.js';
import { newestFirst, type PageQuery } from './page-query.js';
import type { CheckoutSessionsTable } from './payments-schema.js';
import type { Database } from './schema.js';

function toSession(row: Selectable<CheckoutSessionsTable>): CheckoutSession {
  return {
    id: row.id,
    accountId: row.account_id,
    environment: row.environment,
    amount: row.amount,
    currency: row.currency,
    description: row.description,
    successUrl: row.success_url,
    cancelUrl: row.cancel_url,
    errorUrl: row.error_url,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    status: row.status,
    paymentRequestId: row.payment_request_id,
    paymentId: row.payment_id,
    expiresAt: row.expires_at,
    completedAt: row.completed_at,
    createdAt: row.created_at,
  };
}

export class CheckoutSessionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(session: CheckoutSession): Promise<void> {
    await this.db
      .insertInto('checkout_sessions')
      .values({
        id: session.id,
        account_id: session.accountId,
        environment: session.environment,
        amount: session.amount,
        currency: session.currency,
        description: session.description,
        success_url: session.successUrl,
        cancel_url: session.cancelUrl,
        error_url: session.errorUrl,
        metadata: JSON.stringify(session.metadata),
        status: session.status,
        payment_request_id: session.paymentRequestId,
        payment_id: session.paymentId,
        expires_at: session.expiresAt,
        completed_at: session.completedAt,
        created_at: session.createdAt,
      })
      .execute();
  }

  /** By id alone: the id is the capability (GET needs no key). `environment` narrows it when the request is pinned to one. */
  async findById(id: string, environment: Environment | null = null): Promise<CheckoutSession | undefined> {
    let query = this.db.selectFrom('checkout_sessions').selectAll().where('id', '=', id);
    if (environment !== null) query = query.where('environment', '=', environment);
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : toSession(row);
  }

  async findInScope(accountId: string, environment: Environment, id: string): Promise<CheckoutSession | undefined> {
    const row = await this.db.selectFrom('checkout_sessions').selectAll().where('id', '=', id).where('account_id', '=', accountId).where('environment', '=', environment).executeTakeFirst();
    return row === undefined ? undefined : toSession(row);
  }

  async list(accountId: string, environment: Environment, page: PageQuery): Promise<CheckoutSession[]> {
    let query = this.db.selectFrom('checkout_sessions').selectAll().where('account_id', '=', accountId).where('environment', '=', environment);
    return (await newestFirst(query, page).execute()).map(toSession);
  }

  /**
   * pending → completed, only if still pending and not past its expiry: of
   * concurrent completions exactly one gets true (PostgreSQL re-checks the
   * condition after the row lock; SQLite writers are serialized).
   */
  async claimCompletion(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('checkout_sessions')
      .set({ status: 'completed', completed_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Undoes a claim in the same transaction, when the charge failed: the customer may try another card. */
  async releaseClaim(id: string): Promise<void> {
    await this.db.updateTable('checkout_sessions').set({ status: 'pending', completed_at: null }).where('id', '=', id).where('status', '=', 'completed').execute();
  }

  async recordPayment(id: string, paymentId: string, paymentRequestId: string): Promise<void> {
    await this.db.updateTable('checkout_sessions').set({ payment_id: paymentId, payment_request_id: paymentRequestId }).where('id', '=', id).execute();
  }

  /** pending → expired for sessions past their expiry; answers the ones this call expired. */
  async expireDue(now: number, id: string | null = null): Promise<Array<{ id: string; accountId: string; environment: Environment; paymentRequestId: string | null }>> {
    let query = this.db.updateTable('checkout_sessions').set({ status: 'expired' }).where('status', '=', 'pending').where('expires_at', '<=', now);
    if (id !== null) query = query.where('id', '=', id);
    const rows = await query.returning(['id', 'account_id', 'environment', 'payment_request_id']).execute();
    return rows.map((r) => ({ id: r.id, accountId: r.account_id, environment: r.environment, paymentRequestId: r.payment_request_id }));
  }
}
