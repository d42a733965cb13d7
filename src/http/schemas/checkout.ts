import { Type } from 'typebox';
import { MAX_REDIRECT_URL_LENGTH } from '../../domain/redirect-url.js';
import { Metadata, Nullable, StringEnum, Timestamp } from './common.js';
import { Amount, Currency, Description, Environment } from './money.js';

const RedirectUrl = (what: string) =>
  Type.String({ minLength: 1, maxLength: MAX_REDIRECT_URL_LENGTH, description: `${what} HTTPS in live; in sandbox http://localhost and http://127.0.0.1 are allowed too.` });

export const SessionIdParam = Type.String({ minLength: 1, maxLength: 64, description: 'Checkout session id (cs_…): the capability to read and pay it.' });

export const CreateCheckoutSessionBody = Type.Object(
  {
    amount: Amount,
    currency: Currency,
    description: Type.Optional(Description),
    successUrl: RedirectUrl('Where the customer lands after paying, with ?sessionId=… appended: verify the session server-side there.'),
    cancelUrl: RedirectUrl('Where "Cancel" on the hosted page goes, with ?sessionId=….'),
    errorUrl: Type.Optional(RedirectUrl('Where the customer goes when the processor fails (?sessionId=…&error=processing_error); defaults to cancelUrl.')),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);

const STATUSES = ['pending', 'completed', 'expired'] as const;

/** What anyone holding the session id sees: status and amounts, nothing sensitive. */
export const PublicCheckoutSessionView = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('checkout_session'),
    environment: Environment,
    status: StringEnum(STATUSES, { description: 'pending until paid; completed once paid (at most once); expired 30 minutes after creation if unpaid.' }),
    amount: Type.Integer(),
    currency: Type.String(),
    description: Nullable(Type.String()),
    expiresAt: Timestamp,
    completedAt: Nullable(Timestamp),
    createdAt: Timestamp,
  },
  { description: 'A checkout session as GET by id shows it, without a key.' },
);

export const CheckoutSessionView = Type.Intersect([
  PublicCheckoutSessionView,
  Type.Object({
    checkoutUrl: Type.String({ description: 'The hosted page: send the customer there.' }),
    successUrl: Nullable(Type.String()),
    cancelUrl: Nullable(Type.String()),
    errorUrl: Nullable(Type.String()),
    metadata: Type.Record(Type.String(), Type.String()),
    paymentRequestId: Nullable(Type.String({ description: 'The payment request (pr_…) that records the payment: refund it there.' })),
    paymentId: Nullable(Type.String({ description: 'The successful charge (pay_…).' })),
  }),
]);

export const CompleteCheckoutSessionBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 64, description: 'A card token (tok_…) made with the account’s publishable key.' }) },
  { additionalProperties: false },
);

export const CompletedCheckoutSessionView = Type.Object({
  id: Type.String(),
  object: Type.Literal('checkout_session'),
  status: Type.Literal('completed'),
  redirectUrl: Nullable(Type.String({ description: 'successUrl with ?sessionId=…, or null when the session has none (pay-by-link).' })),
});
