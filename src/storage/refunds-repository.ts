import type { Kysely, Selectable } from 'kysely';
import type { Refund } from '../domain/payments.js';
import type { RefundsTable } from './payments-schema.js';
import type { Database } from './schema.js';

function toRefund(row: Selectable<RefundsTable>): Refund {
  return {
    id: row.id,
    accountId: row.account_id,
    environment: row.environment,
    paymentRequestId: row.payment_request_id,
    paymentId: row.payment_id,
    amount: row.amount,
    currency: row.currency,
    reason: row.reason,
    status: row.status,
    processorReference: row.processor_reference,
    createdAt: row.created_at,
  };
}

export class RefundsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(refund: Refund): Promise<void> {
    await this.db
      .insertInto('refunds')
      .values({
        id: refund.id,
        account_id: refund.accountId,
        environment: refund.environment,
        payment_request_id: refund.paymentRequestId,
        payment_id: refund.paymentId,
        amount: refund.amount,
        currency: refund.currency,
        reason: refund.reason,
        status: refund.status,
        processor_reference: refund.processorReference,
        created_at: refund.createdAt,
      })
      .execute();
  }

  /** Refunds of these payment requests, oldest first (the requests were already scoped to the caller). */
  async listFor(paymentRequestIds: readonly string[]): Promise<Refund[]> {
    if (paymentRequestIds.length === 0) return [];
    return (await this.db.selectFrom('refunds').selectAll().where('payment_request_id', 'in', paymentRequestIds).orderBy('created_at').orderBy('id').execute()).map(toRefund);
  }
}
