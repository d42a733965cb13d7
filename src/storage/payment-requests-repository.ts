import { sql, type Kysely, type Selectable } from 'kysely';
import type { CardBrand } from '../domain/card.js';
import type { Environment } from '../domain/environment.js';
import type { Payment, PaymentRequest } from '../domain/payments.js';
import { newestFirst, type PageQuery } from './page-query.js';
import type { PaymentRequestsTable } from './payments-schema.js';
import type { Database } from './schema.js';

function toPaymentRequest(row: Selectable<PaymentRequestsTable>): PaymentRequest {
  return {
    id: row.id,
    accountId: row.account_id,
    environment: row.environment,
    amount: row.amount,
    currency: row.currency,
    description: row.description,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    method: row.method,
    status: row.status,
    amountRefunded: row.amount_refunded,
    paymentId: row.payment_id,
    checkoutSessionId: row.checkout_session_id,
    cardBrand: row.card_brand as CardBrand | null,
    cardLast4: row.card_last4,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class PaymentRequestsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(request: PaymentRequest): Promise<void> {
    await this.db
      .insertInto('payment_requests')
      .values({
        id: request.id,
        account_id: request.accountId,
        environment: request.environment,
        amount: request.amount,
        currency: request.currency,
        description: request.description,
        metadata: JSON.stringify(request.metadata),
        method: request.method,
        status: request.status,
        amount_refunded: request.amountRefunded,
        payment_id: request.paymentId,
        checkout_session_id: request.checkoutSessionId,
        card_brand: request.cardBrand,
        card_last4: request.cardLast4,
        failure_code: request.failureCode,
        failure_message: request.failureMessage,
        expires_at: request.expiresAt,
        created_at: request.createdAt,
        updated_at: request.updatedAt,
      })
      .execute();
  }

  /** Inside a transaction that already scoped the request (webhook events); callers from outside use findInScope. */
  async findById(id: string): Promise<PaymentRequest | undefined> {
    const row = await this.db.selectFrom('payment_requests').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toPaymentRequest(row);
  }

  async findInScope(accountId: string, environment: Environment, id: string): Promise<PaymentRequest | undefined> {
    const row = await this.db.selectFrom('payment_requests').selectAll().where('id', '=', id).where('account_id', '=', accountId).where('environment', '=', environment).executeTakeFirst();
    return row === undefined ? undefined : toPaymentRequest(row);
  }

  async list(accountId: string, environment: Environment, page: PageQuery): Promise<PaymentRequest[]> {
    let query = this.db.selectFrom('payment_requests').selectAll().where('account_id', '=', accountId).where('environment', '=', environment);
    return (await newestFirst(query, page).execute()).map(toPaymentRequest);
  }

  /** A pay-by-link request: pending → succeeded with the payment that paid it, only if still pending. */
  async markPaid(id: string, payment: Payment, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('payment_requests')
      .set({ status: 'succeeded', payment_id: payment.id, card_brand: payment.cardBrand, card_last4: payment.cardLast4, failure_code: null, failure_message: null, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** A failed attempt on a pay-by-link request: it stays pending and shows the latest failure. */
  async recordFailedAttempt(id: string, payment: Payment, now: number): Promise<void> {
    await this.db
      .updateTable('payment_requests')
      .set({ payment_id: payment.id, card_brand: payment.cardBrand, card_last4: payment.cardLast4, failure_code: payment.failureCode, failure_message: payment.failureMessage, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /**
   * Adds `amount` to what was refunded, only while the total stays within the
   * amount captured: concurrent refunds can't exceed it, whatever their order.
   */
  async addRefund(id: string, amount: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('payment_requests')
      .set((eb) => ({
        amount_refunded: eb('amount_refunded', '+', amount),
        status: sql<'refunded' | 'partially_refunded'>`case when amount_refunded + ${amount} >= amount then 'refunded' else 'partially_refunded' end`,
        updated_at: now,
      }))
      .where('id', '=', id)
      .where('status', 'in', ['succeeded', 'partially_refunded'])
      .where((eb) => eb(eb('amount_refunded', '+', amount), '<=', eb.ref('amount')))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** pending pay-by-link requests past their expiry → expired; answers the ones this call expired. */
  async expireDue(now: number, id: string | null = null): Promise<Array<{ id: string; accountId: string; environment: Environment }>> {
    let query = this.db.updateTable('payment_requests').set({ status: 'expired', updated_at: now }).where('status', '=', 'pending').where('expires_at', '<=', now);
    if (id !== null) query = query.where('id', '=', id);
    const rows = await query.returning(['id', 'account_id', 'environment']).execute();
    return rows.map((r) => ({ id: r.id, accountId: r.account_id, environment: r.environment }));
  }
}
