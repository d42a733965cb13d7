import type { Static } from 'typebox';
import { isPastExpiry, type PaymentRequest, type Refund } from '../domain/payments.js';
import type { PaymentRequestView as PaymentRequestViewSchema, RefundView as RefundViewSchema } from '../http/schemas/payment-request.js';
import { isoOrNull } from './time.js';

export type PaymentRequestView = Static<typeof PaymentRequestViewSchema>;
export type RefundView = Static<typeof RefundViewSchema>;

export function refundView(refund: Refund): RefundView {
  return {
    id: refund.id,
    object: 'refund',
    environment: refund.environment,
    paymentRequestId: refund.paymentRequestId,
    paymentId: refund.paymentId,
    amount: refund.amount,
    currency: refund.currency,
    reason: refund.reason,
    status: refund.status,
    createdAt: new Date(refund.createdAt).toISOString(),
  };
}

/** `paymentUrl`: the hosted page of a pay-by-link request (null otherwise). */
export function paymentRequestView(request: PaymentRequest, refunds: readonly Refund[], paymentUrl: string | null, now: number): PaymentRequestView {
  const expired = request.status === 'pending' && isPastExpiry(request.expiresAt, now);
  return {
    id: request.id,
    object: 'payment_request',
    environment: request.environment,
    amount: request.amount,
    currency: request.currency,
    description: request.description,
    metadata: request.metadata,
    method: request.method,
    status: expired ? 'expired' : request.status,
    amountRefunded: request.amountRefunded,
    card: request.cardBrand === null || request.cardLast4 === null ? null : { brand: request.cardBrand, last4: request.cardLast4 },
    failure: request.failureCode === null ? null : { code: request.failureCode, message: request.failureMessage ?? '' },
    paymentId: request.paymentId,
    checkoutSessionId: request.checkoutSessionId,
    paymentUrl,
    expiresAt: isoOrNull(request.expiresAt),
    refunds: refunds.map(refundView),
    createdAt: new Date(request.createdAt).toISOString(),
    updatedAt: new Date(request.updatedAt).toISOString(),
  };
}
