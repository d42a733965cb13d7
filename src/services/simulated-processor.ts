import type { ChargeFailureCode, ChargeOutcome, PaymentProcessor, PayoutOutcome, RefundOutcome } from '../domain/processor.js';

/** Card numbers with a fixed outcome (docs/payments.md lists them). Any other valid number succeeds. */
export const TEST_CARDS: ReadonlyArray<{ number: string; brand: string; outcome: 'succeeded' | ChargeFailureCode; message: string }> = [
  { number: '4242424242424242', brand: 'visa', outcome: 'succeeded', message: 'Succeeds.' },
  { number: '5555555555554444', brand: 'mastercard', outcome: 'succeeded', message: 'Succeeds.' },
  { number: '378282246310005', brand: 'amex', outcome: 'succeeded', message: 'Succeeds (4-digit CVC).' },
  { number: '4000000000000002', brand: 'visa', outcome: 'card_declined', message: 'Your card was declined. Try another card.' },
  { number: '4000000000009995', brand: 'visa', outcome: 'card_declined', message: 'Your card has insufficient funds. Try another card.' },
  { number: '4000000000000119', brand: 'visa', outcome: 'processing_error', message: 'The card processor had an error. No money was taken. Try again later.' },
];

/** Beneficiary account numbers made only of zeros are rejected by the simulated bank. */
export function isRejectedTestAccount(accountNumber: string): boolean {
  return /^0+$/.test(accountNumber);
}

const BY_NUMBER = new Map(TEST_CARDS.map((card) => [card.number, card]));

/**
 * The processor that ships with Tessera: deterministic and instant, moving no
 * money. Sandbox always uses it; live uses it too unless a real processor is
 * plugged in. Outcomes depend only on the input, so tests and demos are
 * repeatable.
 */
export class SimulatedProcessor implements PaymentProcessor {
  readonly name = 'simulated';

  async charge(request: Parameters<PaymentProcessor['charge']>[0]): Promise<ChargeOutcome> {
    const reference = `sim_ch_${request.reference}`;
    const test = BY_NUMBER.get(request.card.number);
    if (test === undefined || test.outcome === 'succeeded') return { status: 'succeeded', reference };
    return { status: 'failed', code: test.outcome, message: test.message, reference };
  }

  async refund(request: Parameters<PaymentProcessor['refund']>[0]): Promise<RefundOutcome> {
    return { status: 'succeeded', reference: `sim_re_${request.reference}` };
  }

  async payout(request: Parameters<PaymentProcessor['payout']>[0]): Promise<PayoutOutcome> {
    const reference = `sim_po_${request.reference}`;
    if (isRejectedTestAccount(request.beneficiary.accountNumber)) {
      return { status: 'failed', code: 'payout_rejected', message: 'The beneficiary bank rejected the payout (simulated: an account number of only zeros).', reference };
    }
    return { status: 'paid', reference };
  }
}
