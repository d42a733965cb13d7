import type { Environment } from '../domain/environment.js';
import { newId } from '../domain/ids.js';
import type { Money } from '../domain/money.js';
import type { Payment } from '../domain/payments.js';
import type { PaymentProcessor } from '../domain/processor.js';
import type { Store } from '../storage/store.js';
import type { CardVault, PaymentScope } from './card-vault.js';

export type Processors = Readonly<Record<Environment, PaymentProcessor>>;

export interface ChargeDeps {
  vault: CardVault;
  processors: Processors;
  now: () => number;
}

export interface ChargeRequest {
  scope: PaymentScope;
  tokenId: string;
  /** The field that carried the token id, for errors. */
  tokenParam: string;
  money: Money;
  checkoutSessionId: string | null;
  paymentRequestId: string | null;
}

/**
 * One charge attempt inside the caller's transaction: uses the card token (at
 * most once), asks the environment's processor, stores the outcome as a
 * payment and, when it succeeded, credits the balance. A token error throws
 * and leaves nothing behind; a decline is an outcome, recorded like a success.
 */
export async function chargeCardToken(tx: Store, deps: ChargeDeps, request: ChargeRequest): Promise<Payment> {
  const { scope, money } = request;
  const { token, card } = await deps.vault.consume(tx, scope, request.tokenId, request.tokenParam);
  const processor = deps.processors[scope.environment];
  const id = newId('payment');
  const outcome = await processor.charge({ environment: scope.environment, reference: id, amount: money.amount, currency: money.currency, card });
  const now = deps.now();
  const payment: Payment = {
    id,
    accountId: scope.accountId,
    environment: scope.environment,
    amount: money.amount,
    currency: money.currency,
    status: outcome.status,
    failureCode: outcome.status === 'failed' ? outcome.code : null,
    failureMessage: outcome.status === 'failed' ? outcome.message : null,
    cardBrand: token.brand,
    cardLast4: token.last4,
    tokenId: token.id,
    processor: processor.name,
    processorReference: outcome.reference,
    checkoutSessionId: request.checkoutSessionId,
    paymentRequestId: request.paymentRequestId,
    createdAt: now,
  };
  await tx.payments.insert(payment);
  if (payment.status === 'succeeded') await tx.balances.credit(scope.accountId, scope.environment, money.currency, money.amount, now);
  return payment;
}
