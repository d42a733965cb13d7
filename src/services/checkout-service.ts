import type { Environment } from '../domain/environment.js';
import { notFound, TesseraError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { parseMoney } from '../domain/money.js';
import { CHECKOUT_SESSION_TTL_MS, isPastExpiry, type CheckoutSession, type Payment, type PaymentRequest } from '../domain/payments.js';
import { parseRedirectUrl, withQuery } from '../domain/redirect-url.js';
import { checkoutSessionView } from '../views/checkout-session-view.js';
import type { Store } from '../storage/store.js';
import type { PaymentScope } from './card-vault.js';
import { chargeCardToken, type ChargeDeps } from './charge.js';
import type { CheckoutPageKeys } from './checkout-page-keys.js';
import { recordEvent } from './events.js';
import { paginate, type ListOptions, type Page } from './pagination.js';
import { recordPaymentRequestEvent } from './payment-request-events.js';

/** Session ids are the capability to read and pay a session: 32 base62 characters, 190 random bits. */
const CHECKOUT_SESSION_ID_LENGTH = 32;

export interface CreateCheckoutSessionInput {
  amount: number;
  currency: string;
  description?: string | undefined;
  successUrl: string;
  cancelUrl: string;
  errorUrl?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface CheckoutSettings {
  maxAmount: number;
  /** Tessera's public base URL, once known (a test server listens on a port chosen at start). */
  publicUrl: () => string;
}

export interface CheckoutPageModel {
  session: CheckoutSession;
  merchantName: string;
  /** The account's publishable key for card tokens, while the session can still be paid. */
  publishableKey: string | null;
}

export type CompletionResult = { kind: 'completed'; session: CheckoutSession; redirectUrl: string | null } | { kind: 'failed'; payment: Payment };

/**
 * Ozura's checkout sessions: created server-side, paid at most once on the
 * hosted page, expired 30 minutes after creation. A pay-by-link payment
 * request owns a session too (with the request's own expiry).
 */
export class CheckoutService {
  constructor(
    private readonly store: Store,
    private readonly charge: ChargeDeps,
    private readonly pageKeys: CheckoutPageKeys,
    private readonly settings: CheckoutSettings,
    private readonly now: () => number,
  ) {}

  checkoutUrl(sessionId: string): string {
    return `${this.settings.publicUrl()}/checkout/${sessionId}`;
  }

  async create(scope: PaymentScope, input: CreateCheckoutSessionInput): Promise<CheckoutSession> {
    const money = parseMoney(input, this.settings.maxAmount);
    const successUrl = parseRedirectUrl(input.successUrl, scope.environment, 'successUrl');
    const cancelUrl = parseRedirectUrl(input.cancelUrl, scope.environment, 'cancelUrl');
    const errorUrl = input.errorUrl === undefined ? null : parseRedirectUrl(input.errorUrl, scope.environment, 'errorUrl');
    // The page needs the account's publishable key: settle it now rather than on the customer's first visit.
    await this.pageKeys.secretFor(scope.accountId, scope.environment);
    const now = this.now();
    const session = newSession(scope, money, { description: input.description ?? null, successUrl, cancelUrl, errorUrl, metadata: input.metadata ?? {}, paymentRequestId: null, expiresAt: now + CHECKOUT_SESSION_TTL_MS }, now);
    await this.store.checkoutSessions.insert(session);
    return session;
  }

  async list(scope: PaymentScope, options: ListOptions): Promise<Page<CheckoutSession>> {
    const repo = this.store.checkoutSessions;
    return paginate(options, (page) => repo.list(scope.accountId, scope.environment, page));
  }

  /**
   * By id alone, for the page and GET without a key: the id is the
   * capability. A request pinned to an environment (host or path prefix) sees
   * only that environment's sessions. A pending session past its expiry is
   * recorded as expired on the way.
   */
  async getPublic(id: string, pinned: Environment | null): Promise<CheckoutSession> {
    const session = await this.store.checkoutSessions.findById(id, pinned);
    if (session === undefined) throw notFound('checkout session', id, 'sessionId');
    if (session.status === 'pending' && isPastExpiry(session.expiresAt, this.now())) {
      await this.expire(session.id);
      return { ...session, status: 'expired' };
    }
    return session;
  }

  async pageModel(id: string, pinned: Environment | null): Promise<CheckoutPageModel> {
    const session = await this.getPublic(id, pinned);
    const account = await this.store.accounts.findById(session.accountId);
    const publishableKey = session.status === 'pending' ? await this.pageKeys.secretFor(session.accountId, session.environment) : null;
    return { session, merchantName: account?.name ?? 'Merchant', publishableKey };
  }

  /**
   * Pays the session with a card token of its account, at most once: the
   * session is claimed (pending → completed, if unexpired) before the card is
   * charged, all in one transaction, so of concurrent completions exactly one
   * charges. A declined charge releases the claim in the same transaction and
   * is recorded; the customer may try another card.
   */
  async complete(id: string, tokenId: string, pinned: Environment | null): Promise<CompletionResult> {
    const session = await this.store.checkoutSessions.findById(id, pinned);
    if (session === undefined) throw notFound('checkout session', id, 'sessionId');
    const money = { amount: session.amount, currency: session.currency };
    const result = await this.store.transaction(async (tx) => {
      const now = this.now();
      if (!(await tx.checkoutSessions.claimCompletion(session.id, now))) return null;
      const payment = await chargeCardToken(tx, this.charge, { scope: session, tokenId, tokenParam: 'token', money, checkoutSessionId: session.id, paymentRequestId: session.paymentRequestId });
      if (payment.status === 'failed') {
        await tx.checkoutSessions.releaseClaim(session.id);
        if (session.paymentRequestId !== null) {
          await tx.paymentRequests.recordFailedAttempt(session.paymentRequestId, payment, now);
          await this.recordPaymentEvent(tx, 'payment.failed', session.paymentRequestId, now);
        }
        return { kind: 'failed' as const, payment };
      }
      const paymentRequestId = session.paymentRequestId ?? newId('paymentRequest');
      if (session.paymentRequestId === null) {
        await tx.paymentRequests.insert(paidByCheckout(paymentRequestId, session, payment, now));
      } else if (!(await tx.paymentRequests.markPaid(session.paymentRequestId, payment, now))) {
        throw new Error(`payment request ${session.paymentRequestId} of session ${session.id} was not pending`);
      }
      await tx.checkoutSessions.recordPayment(session.id, payment.id, paymentRequestId);
      const completed: CheckoutSession = { ...session, status: 'completed', completedAt: now, paymentId: payment.id, paymentRequestId };
      await this.recordSessionEvent(tx, 'checkout.session.completed', completed, now);
      await this.recordPaymentEvent(tx, 'payment.succeeded', paymentRequestId, now);
      return { kind: 'completed' as const, session: completed };
    });
    if (result === null) throw await this.whyNotPayable(session.id);
    if (result.kind === 'failed') return result;
    return { kind: 'completed', session: result.session, redirectUrl: this.redirectUrls(session).success };
  }

  /** Where the page sends the customer: success with the session id, cancel, error. */
  redirectUrls(session: CheckoutSession): { success: string | null; cancel: string | null; error: string | null } {
    const q = { sessionId: session.id };
    return {
      success: session.successUrl === null ? null : withQuery(session.successUrl, q),
      cancel: session.cancelUrl === null ? null : withQuery(session.cancelUrl, q),
      // Without an errorUrl, a processor failure goes back to the merchant's cancelUrl, saying so.
      error: (session.errorUrl ?? session.cancelUrl) === null ? null : withQuery((session.errorUrl ?? session.cancelUrl)!, { ...q, error: 'processing_error' }),
    };
  }

  /** Housekeeping: records every pending session and payment link past its expiry as expired. */
  async expireDue(): Promise<number> {
    const now = this.now();
    return this.store.transaction(async (tx) => {
      const sessions = await tx.checkoutSessions.expireDue(now);
      const links = await tx.paymentRequests.expireDue(now);
      for (const { id } of sessions) await this.recordSessionEvent(tx, 'checkout.session.expired', (await tx.checkoutSessions.findById(id))!, now);
      return sessions.length + links.length;
    });
  }

  private async expire(id: string): Promise<void> {
    const now = this.now();
    await this.store.transaction(async (tx) => {
      for (const expired of await tx.checkoutSessions.expireDue(now, id)) {
        if (expired.paymentRequestId !== null) await tx.paymentRequests.expireDue(now, expired.paymentRequestId);
        await this.recordSessionEvent(tx, 'checkout.session.expired', (await tx.checkoutSessions.findById(expired.id))!, now);
      }
    });
  }

  /** Webhook events go out from the outbox, recorded in the transaction of the change. */
  private async recordSessionEvent(tx: Store, type: 'checkout.session.completed' | 'checkout.session.expired', session: CheckoutSession, now: number): Promise<void> {
    await recordEvent(tx, { accountId: session.accountId, environment: session.environment, type, data: { object: checkoutSessionView(session, this.checkoutUrl(session.id), now) } }, now);
  }

  private async recordPaymentEvent(tx: Store, type: 'payment.succeeded' | 'payment.failed', paymentRequestId: string, now: number): Promise<void> {
    const request = await tx.paymentRequests.findById(paymentRequestId);
    if (request === undefined) throw new Error(`payment request ${paymentRequestId} vanished inside its transaction`);
    await recordPaymentRequestEvent(tx, type, request, [], (sessionId) => this.checkoutUrl(sessionId), now);
  }

  private async whyNotPayable(id: string): Promise<TesseraError> {
    const session = await this.store.checkoutSessions.findById(id);
    if (session?.status === 'completed') {
      return new TesseraError('checkout_session_completed', 'This checkout session is already paid: a session completes once. Nothing was charged.', { param: 'sessionId' });
    }
    await this.expire(id);
    return new TesseraError('checkout_session_expired', 'This checkout session expired before it was paid. Nothing was charged; ask the merchant for a new one.', { param: 'sessionId' });
  }
}

export function newSession(
  scope: PaymentScope,
  money: { amount: number; currency: string },
  fields: Pick<CheckoutSession, 'description' | 'successUrl' | 'cancelUrl' | 'errorUrl' | 'metadata' | 'paymentRequestId' | 'expiresAt'>,
  now: number,
): CheckoutSession {
  return {
    id: newId('checkoutSession', CHECKOUT_SESSION_ID_LENGTH),
    accountId: scope.accountId,
    environment: scope.environment,
    ...money,
    ...fields,
    status: 'pending',
    paymentId: null,
    completedAt: null,
    createdAt: now,
  };
}

function paidByCheckout(id: string, session: CheckoutSession, payment: Payment, now: number): PaymentRequest {
  return {
    id,
    accountId: session.accountId,
    environment: session.environment,
    amount: session.amount,
    currency: session.currency,
    description: session.description,
    metadata: session.metadata,
    method: 'checkout',
    status: 'succeeded',
    amountRefunded: 0,
    paymentId: payment.id,
    checkoutSessionId: session.id,
    cardBrand: payment.cardBrand,
    cardLast4: payment.cardLast4,
    failureCode: null,
    failureMessage: null,
    expiresAt: null,
    createdAt: now,
    updatedAt: now,
  };
}
