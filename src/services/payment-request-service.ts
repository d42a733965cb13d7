import { notFound, TesseraError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { formatAmount, parseAmount, parseMoney } from '../domain/money.js';
import {
  PAYMENT_LINK_DEFAULT_TTL_SECONDS,
  PAYMENT_LINK_MAX_TTL_SECONDS,
  PAYMENT_LINK_MIN_TTL_SECONDS,
  type CheckoutSession,
  type PaymentRequest,
  type Refund,
} from '../domain/payments.js';
import { parseRedirectUrl } from '../domain/redirect-url.js';
import { refundView } from '../views/payment-request-view.js';
import type { Store } from '../storage/store.js';
import type { PaymentScope } from './card-vault.js';
import { chargeCardToken, type ChargeDeps } from './charge.js';
import type { CheckoutPageKeys } from './checkout-page-keys.js';
import { newSession } from './checkout-service.js';
import { paymentUrlOf, recordPaymentRequestEvent, type PaymentRequestEventType } from './payment-request-events.js';
import { paginate, type ListOptions, type Page } from './pagination.js';

export interface CreatePaymentRequestInput {
  amount: number;
  currency: string;
  description?: string | undefined;
  metadata?: Record<string, string> | undefined;
  /** A card token: the card is charged now. */
  token?: string | undefined;
  /** Or a link the customer pays on the hosted checkout page. */
  payByLink?: boolean | undefined;
  successUrl?: string | undefined;
  cancelUrl?: string | undefined;
  errorUrl?: string | undefined;
  expiresInSeconds?: number | undefined;
}

export interface PaymentRequestWithRefunds {
  request: PaymentRequest;
  refunds: Refund[];
}

/**
 * Azupay's paymentRequest and paymentRequest/refund: charge a card token now,
 * or hand the customer a link; refund all or part, never more than was
 * captured, whatever the concurrency.
 */
export class PaymentRequestService {
  constructor(
    private readonly store: Store,
    private readonly charge: ChargeDeps,
    private readonly pageKeys: CheckoutPageKeys,
    private readonly settings: { maxAmount: number; checkoutUrl: (sessionId: string) => string },
    private readonly now: () => number,
  ) {}

  async create(scope: PaymentScope, input: CreatePaymentRequestInput): Promise<PaymentRequestWithRefunds> {
    const money = parseMoney(input, this.settings.maxAmount);
    const byLink = input.payByLink === true;
    if (input.token !== undefined && byLink) {
      throw new TesseraError('invalid_field', 'Give either `token` (charge a card now) or `payByLink: true` (the customer pays on the hosted page), not both.', { param: 'payByLink' });
    }
    if (input.token === undefined && !byLink) {
      throw new TesseraError('missing_field', 'Give `token` (a card token from POST /v1/tokens) to charge a card now, or `payByLink: true` for a link the customer pays on the hosted checkout page.', { param: 'token' });
    }
    const base = { accountId: scope.accountId, environment: scope.environment, ...money, description: input.description ?? null, metadata: input.metadata ?? {}, amountRefunded: 0, cardBrand: null, cardLast4: null, failureCode: null, failureMessage: null };
    if (!byLink) {
      for (const field of ['successUrl', 'cancelUrl', 'errorUrl', 'expiresInSeconds'] as const) {
        if (input[field] !== undefined) throw new TesseraError('invalid_field', `\`${field}\` only applies to a pay-by-link request (\`payByLink: true\`).`, { param: field });
      }
      const tokenId = input.token!;
      const request = await this.store.transaction(async (tx) => {
        const id = newId('paymentRequest');
        const payment = await chargeCardToken(tx, this.charge, { scope, tokenId, tokenParam: 'token', money, checkoutSessionId: null, paymentRequestId: id });
        const now = this.now();
        const created: PaymentRequest = {
          ...base,
          id,
          method: 'card',
          status: payment.status,
          paymentId: payment.id,
          checkoutSessionId: null,
          cardBrand: payment.cardBrand,
          cardLast4: payment.cardLast4,
          failureCode: payment.failureCode,
          failureMessage: payment.failureMessage,
          expiresAt: null,
          createdAt: now,
          updatedAt: now,
        };
        await tx.paymentRequests.insert(created);
        await this.recordEvent(tx, created.status === 'succeeded' ? 'payment.succeeded' : 'payment.failed', created, [], now);
        return created;
      });
      return { request, refunds: [] };
    }
    const ttl = input.expiresInSeconds ?? PAYMENT_LINK_DEFAULT_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < PAYMENT_LINK_MIN_TTL_SECONDS || ttl > PAYMENT_LINK_MAX_TTL_SECONDS) {
      throw new TesseraError('invalid_field', `\`expiresInSeconds\` must be a whole number of seconds from ${PAYMENT_LINK_MIN_TTL_SECONDS} to ${PAYMENT_LINK_MAX_TTL_SECONDS} (30 days).`, { param: 'expiresInSeconds' });
    }
    const urls = {
      successUrl: input.successUrl === undefined ? null : parseRedirectUrl(input.successUrl, scope.environment, 'successUrl'),
      cancelUrl: input.cancelUrl === undefined ? null : parseRedirectUrl(input.cancelUrl, scope.environment, 'cancelUrl'),
      errorUrl: input.errorUrl === undefined ? null : parseRedirectUrl(input.errorUrl, scope.environment, 'errorUrl'),
    };
    await this.pageKeys.secretFor(scope.accountId, scope.environment);
    const now = this.now();
    const expiresAt = now + ttl * 1000;
    const id = newId('paymentRequest');
    const session: CheckoutSession = newSession(scope, money, { description: base.description, ...urls, metadata: base.metadata, paymentRequestId: id, expiresAt }, now);
    const request: PaymentRequest = { ...base, id, method: 'link', status: 'pending', paymentId: null, checkoutSessionId: session.id, expiresAt, createdAt: now, updatedAt: now };
    await this.store.transaction(async (tx) => {
      await tx.paymentRequests.insert(request);
      await tx.checkoutSessions.insert(session);
    });
    return { request, refunds: [] };
  }

  async get(scope: PaymentScope, id: string): Promise<PaymentRequestWithRefunds> {
    const request = await this.store.paymentRequests.findInScope(scope.accountId, scope.environment, id);
    if (request === undefined) throw notFound('payment request', id, 'paymentRequestId');
    return { request, refunds: await this.store.refunds.listFor([request.id]) };
  }

  async list(scope: PaymentScope, options: ListOptions): Promise<Page<PaymentRequestWithRefunds>> {
    const repo = this.store.paymentRequests;
    const page = await paginate(options, (q) => repo.list(scope.accountId, scope.environment, q));
    const refunds = await this.store.refunds.listFor(page.data.map((r) => r.id));
    return { data: page.data.map((request) => ({ request, refunds: refunds.filter((r) => r.paymentRequestId === request.id) })), nextCursor: page.nextCursor };
  }

  /**
   * Refunds `amount` (default: all that is left) of a payment request that
   * succeeded. The running total is raised by a conditional update, so
   * concurrent refunds can't exceed what was captured; the balance is debited
   * the same way, so it can't go negative.
   */
  async refund(scope: PaymentScope, id: string, input: { amount?: number | undefined; reason?: string | undefined }): Promise<Refund> {
    const current = await this.store.paymentRequests.findInScope(scope.accountId, scope.environment, id);
    if (current === undefined) throw notFound('payment request', id, 'paymentRequestId');
    refundable(current);
    const amount = parseAmount(input.amount ?? current.amount - current.amountRefunded, current.currency, Number.MAX_SAFE_INTEGER);
    const processor = this.charge.processors[scope.environment];
    return this.store.transaction(async (tx) => {
      const now = this.now();
      if (!(await tx.paymentRequests.addRefund(current.id, amount, now))) {
        const latest = (await tx.paymentRequests.findInScope(scope.accountId, scope.environment, id))!;
        refundable(latest);
        const left = latest.amount - latest.amountRefunded;
        throw new TesseraError(
          'refund_exceeds_captured',
          `A refund of ${formatAmount(amount, latest.currency)} ${latest.currency} would exceed what is left to refund: ${formatAmount(left, latest.currency)} of ${formatAmount(latest.amount, latest.currency)} ${latest.currency}.`,
          { param: 'amount' },
        );
      }
      if (!(await tx.balances.debit(scope.accountId, scope.environment, current.currency, amount, now))) {
        throw new TesseraError('insufficient_funds', `Insufficient Funds: the ${current.currency} balance can't cover this refund. In sandbox, create and approve a deposit to add funds.`, { param: 'amount' });
      }
      const refundId = newId('refund');
      const outcome = await processor.refund({ environment: scope.environment, reference: refundId, paymentReference: current.paymentId!, amount, currency: current.currency });
      if (outcome.status === 'failed') throw new TesseraError('processing_error', `The processor could not refund: ${outcome.message} Nothing was refunded; retry later.`);
      const refund: Refund = {
        id: refundId,
        accountId: scope.accountId,
        environment: scope.environment,
        paymentRequestId: current.id,
        paymentId: current.paymentId!,
        amount,
        currency: current.currency,
        reason: input.reason ?? null,
        status: 'succeeded',
        processorReference: outcome.reference,
        createdAt: now,
      };
      await tx.refunds.insert(refund);
      const refunded = (await tx.paymentRequests.findById(current.id))!;
      await this.recordEvent(tx, 'payment.refunded', refunded, await tx.refunds.listFor([current.id]), now, { refund: refundView(refund) });
      return refund;
    });
  }

  paymentUrl(request: PaymentRequest): string | null {
    return paymentUrlOf(request, this.settings.checkoutUrl);
  }

  private async recordEvent(tx: Store, type: PaymentRequestEventType, request: PaymentRequest, refunds: Refund[], now: number, extra: Record<string, unknown> = {}): Promise<void> {
    await recordPaymentRequestEvent(tx, type, request, refunds, this.settings.checkoutUrl, now, extra);
  }
}

function refundable(request: PaymentRequest): void {
  if (request.status === 'succeeded' || request.status === 'partially_refunded') return;
  const why = request.status === 'refunded' ? 'it is already refunded in full' : `its status is ${request.status}: only a payment that succeeded can be refunded`;
  throw new TesseraError('payment_not_refundable', `Payment request ${request.id} can't be refunded: ${why}.`, { param: 'paymentRequestId' });
}
