import type { PaymentRequest, Refund } from '../domain/payments.js';
import type { Store } from '../storage/store.js';
import { paymentRequestView } from '../views/payment-request-view.js';
import { recordEvent } from './events.js';

export type PaymentRequestEventType = 'payment.succeeded' | 'payment.failed' | 'payment.refunded';

/** Where a customer pays a payment request: a link request's hosted checkout page; other methods have none. */
export function paymentUrlOf(request: PaymentRequest, checkoutUrl: (sessionId: string) => string): string | null {
  return request.method === 'link' && request.checkoutSessionId !== null ? checkoutUrl(request.checkoutSessionId) : null;
}

/**
 * A payment request's webhook event, with the request as the API shows it.
 * Recorded in the transaction of the change, it leaves through the outbox.
 */
export async function recordPaymentRequestEvent(
  tx: Store,
  type: PaymentRequestEventType,
  request: PaymentRequest,
  refunds: Refund[],
  checkoutUrl: (sessionId: string) => string,
  now: number,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const object = paymentRequestView(request, refunds, paymentUrlOf(request, checkoutUrl), now);
  await recordEvent(tx, { accountId: request.accountId, environment: request.environment, type, data: { object, ...extra } }, now);
}
