import type { CardData } from './card.js';
import type { Environment } from './environment.js';

/** Why a charge failed: a decline the customer can fix with another card, or a fault at the processor. */
export type ChargeFailureCode = 'card_declined' | 'processing_error';

export type ChargeOutcome =
  | { status: 'succeeded'; reference: string }
  | { status: 'failed'; code: ChargeFailureCode; message: string; reference: string };

export type RefundOutcome = { status: 'succeeded'; reference: string } | { status: 'failed'; message: string };

export type PayoutOutcome = { status: 'paid'; reference: string } | { status: 'failed'; code: 'payout_rejected'; message: string; reference: string };

/**
 * What moves money. Tessera calls it inside the transaction that records the
 * outcome, so an answer is recorded exactly once and re-reading a payment
 * always shows the same thing. The built-in implementation is simulated
 * (src/services/simulated-processor.ts); a real one plugs in per environment
 * through `createTessera({ processors: { live } })`. It must answer quickly
 * and be idempotent on `reference` (Tessera's id for the attempt).
 */
export interface PaymentProcessor {
  readonly name: string;
  charge(request: { environment: Environment; reference: string; amount: number; currency: string; card: CardData }): Promise<ChargeOutcome>;
  refund(request: { environment: Environment; reference: string; paymentReference: string; amount: number; currency: string }): Promise<RefundOutcome>;
  payout(request: { environment: Environment; reference: string; amount: number; currency: string; beneficiary: { name: string; accountNumber: string } }): Promise<PayoutOutcome>;
}
