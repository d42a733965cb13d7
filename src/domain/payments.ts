import type { CardBrand } from './card.js';
import type { Environment } from './environment.js';
import type { ChargeFailureCode } from './processor.js';

/** Ozura: a checkout session lasts 30 minutes from creation. */
export const CHECKOUT_SESSION_TTL_MS = 30 * 60_000;
/** A card token is single-use and short-lived: the page or app tokenizes right before paying. */
export const CARD_TOKEN_TTL_MS = 15 * 60_000;
/** Pay-by-link payment requests: how long the link may be paid, by default and at most. */
export const PAYMENT_LINK_DEFAULT_TTL_SECONDS = 24 * 3600;
export const PAYMENT_LINK_MAX_TTL_SECONDS = 30 * 24 * 3600;
export const PAYMENT_LINK_MIN_TTL_SECONDS = 5 * 60;

export type CheckoutSessionStatus = 'pending' | 'completed' | 'expired';

export interface CheckoutSession {
  id: string;
  accountId: string;
  environment: Environment;
  amount: number;
  currency: string;
  description: string | null;
  successUrl: string | null;
  cancelUrl: string | null;
  errorUrl: string | null;
  metadata: Record<string, string>;
  status: CheckoutSessionStatus;
  /** The payment request the session pays: a pay-by-link request, or the one created on completion. */
  paymentRequestId: string | null;
  paymentId: string | null;
  expiresAt: number;
  completedAt: number | null;
  createdAt: number;
}

export interface CardToken {
  id: string;
  accountId: string;
  environment: Environment;
  brand: CardBrand;
  last4: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/** One charge attempt at the processor and its outcome, recorded once and never changed. */
export interface Payment {
  id: string;
  accountId: string;
  environment: Environment;
  amount: number;
  currency: string;
  status: 'succeeded' | 'failed';
  failureCode: ChargeFailureCode | null;
  failureMessage: string | null;
  cardBrand: CardBrand;
  cardLast4: string;
  tokenId: string;
  processor: string;
  processorReference: string;
  checkoutSessionId: string | null;
  paymentRequestId: string | null;
  createdAt: number;
}

export type PaymentRequestMethod = 'card' | 'link' | 'checkout';
export type PaymentRequestStatus = 'pending' | 'succeeded' | 'failed' | 'partially_refunded' | 'refunded' | 'expired';

/** Azupay's paymentRequest: what the merchant asked to be paid, and what became of it. */
export interface PaymentRequest {
  id: string;
  accountId: string;
  environment: Environment;
  amount: number;
  currency: string;
  description: string | null;
  metadata: Record<string, string>;
  method: PaymentRequestMethod;
  status: PaymentRequestStatus;
  amountRefunded: number;
  /** The latest charge attempt (the successful one, once paid). */
  paymentId: string | null;
  checkoutSessionId: string | null;
  cardBrand: CardBrand | null;
  cardLast4: string | null;
  failureCode: ChargeFailureCode | null;
  failureMessage: string | null;
  /** Pay-by-link only: when the link stops accepting payment. */
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface Refund {
  id: string;
  accountId: string;
  environment: Environment;
  paymentRequestId: string;
  paymentId: string;
  amount: number;
  currency: string;
  reason: string | null;
  status: 'succeeded';
  processorReference: string;
  createdAt: number;
}

export interface BalanceEntry {
  currency: string;
  available: number;
  updatedAt: number;
}

export interface Deposit {
  id: string;
  accountId: string;
  environment: Environment;
  amount: number;
  currency: string;
  status: 'pending' | 'approved';
  createdAt: number;
  approvedAt: number | null;
}

export interface Cashout {
  id: string;
  accountId: string;
  environment: Environment;
  amount: number;
  currency: string;
  description: string | null;
  metadata: Record<string, string>;
  beneficiaryName: string;
  /** The beneficiary account number's last 4 characters; the whole number is never stored. */
  beneficiaryAccountLast4: string;
  status: 'paid' | 'failed';
  failureCode: 'payout_rejected' | null;
  failureMessage: string | null;
  processor: string;
  processorReference: string;
  createdAt: number;
}

/** A pending session or link whose time has passed is expired, even before a sweep records it. */
export function isPastExpiry(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && expiresAt <= now;
}
