import type { Kysely, Selectable } from 'kysely';
import type { CardBrand } from '../domain/card.js';
import type { Environment } from '../domain/environment.js';
import type { Payment } from '../domain/payments.js';
import type { PaymentsTable } from './payments-schema.js';
import type { Database } from './schema.js';

function toPayment(row: Selectable<PaymentsTable>): Payment {
  return {
    id: row.id,
    accountId: row.account_id,
    environment: row.environment,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    cardBrand: row.card_brand as CardBrand,
    cardLast4: row.card_last4,
    tokenId: row.token_id,
    processor: row.processor,
    processorReference: row.processor_reference,
    checkoutSessionId: row.checkout_session_id,
    paymentRequestId: row.payment_request_id,
    createdAt: row.created_at,
  };
}

/** Charge attempts: written once with the processor's answer, never updated. */
export class PaymentsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(payment: Payment): Promise<void> {
    await this.db
      .insertInto('payments')
      .values({
        id: payment.id,
        account_id: payment.accountId,
        environment: payment.environment,
        amount: payment.amount,
        currency: payment.currency,
        status: payment.status,
        failure_code: payment.failureCode,
        failure_message: payment.failureMessage,
        card_brand: payment.cardBrand,
        card_last4: payment.cardLast4,
        token_id: payment.tokenId,
        processor: payment.processor,
        processor_reference: payment.processorReference,
        checkout_session_id: payment.checkoutSessionId,
        payment_request_id: payment.paymentRequestId,
        created_at: payment.createdAt,
      })
      .execute();
  }

  async findInScope(accountId: string, environment: Environment, id: string): Promise<Payment | undefined> {
    const row = await this.db.selectFrom('payments').selectAll().where('id', '=', id).where('account_id', '=', accountId).where('environment', '=', environment).executeTakeFirst();
    return row === undefined ? undefined : toPayment(row);
  }
}
