import type { Static } from 'typebox';
import { isPastExpiry, type CheckoutSession, type CheckoutSessionStatus } from '../domain/payments.js';
import type { CheckoutSessionView as CheckoutSessionViewSchema, PublicCheckoutSessionView as PublicViewSchema } from '../http/schemas/checkout.js';
import { isoOrNull } from './time.js';

export type PublicCheckoutSessionView = Static<typeof PublicViewSchema>;
export type CheckoutSessionView = Static<typeof CheckoutSessionViewSchema>;

/** A pending session past its expiry is expired, even before a sweep records it. */
export function effectiveSessionStatus(session: CheckoutSession, now: number): CheckoutSessionStatus {
  return session.status === 'pending' && isPastExpiry(session.expiresAt, now) ? 'expired' : session.status;
}

/** Status and amounts, nothing sensitive: what anyone holding the id may read. */
export function publicCheckoutSessionView(session: CheckoutSession, now: number): PublicCheckoutSessionView {
  return {
    id: session.id,
    object: 'checkout_session',
    environment: session.environment,
    status: effectiveSessionStatus(session, now),
    amount: session.amount,
    currency: session.currency,
    description: session.description,
    expiresAt: new Date(session.expiresAt).toISOString(),
    completedAt: isoOrNull(session.completedAt),
    createdAt: new Date(session.createdAt).toISOString(),
  };
}

export function checkoutSessionView(session: CheckoutSession, checkoutUrl: string, now: number): CheckoutSessionView {
  return {
    ...publicCheckoutSessionView(session, now),
    checkoutUrl,
    successUrl: session.successUrl,
    cancelUrl: session.cancelUrl,
    errorUrl: session.errorUrl,
    metadata: session.metadata,
    paymentRequestId: session.paymentRequestId,
    paymentId: session.paymentId,
  };
}
