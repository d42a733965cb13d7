import { Type } from 'typebox';
import { MAX_REDIRECT_URL_LENGTH } from '../../domain/redirect-url.js';
import { PAYMENT_LINK_MAX_TTL_SECONDS, PAYMENT_LINK_MIN_TTL_SECONDS } from '../../domain/payments.js';
import { Metadata, Nullable, StringEnum, Timestamp } from './common.js';
import { Amount, Currency, Description, Environment } from './money.js';

export const PaymentRequestIdParam = Type.String({ minLength: 1, maxLength: 64, description: 'Payment request id (pr_…).' });

const Url = Type.String({ minLength: 1, maxLength: MAX_REDIRECT_URL_LENGTH });

export const CreatePaymentRequestBody = Type.Object(
  {
    amount: Amount,
    currency: Currency,
    description: Type.Optional(Description),
    metadata: Type.Optional(Metadata),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A card token (tok_…): the card is charged now.' })),
    payByLink: Type.Optional(Type.Boolean({ description: 'true: answer a paymentUrl (the hosted checkout page) the customer pays at.' })),
    successUrl: Type.Optional(Url),
    cancelUrl: Type.Optional(Url),
    errorUrl: Type.Optional(Url),
    expiresInSeconds: Type.Optional(
      Type.Integer({ minimum: PAYMENT_LINK_MIN_TTL_SECONDS, maximum: PAYMENT_LINK_MAX_TTL_SECONDS, description: 'Pay-by-link: how long the link can be paid (default 86400).' }),
    ),
  },
  { additionalProperties: false },
);

export const RefundView = Type.Object({
  id: Type.String(),
  object: Type.Literal('refund'),
  environment: Environment,
  paymentRequestId: Type.String(),
  paymentId: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  reason: Nullable(Type.String()),
  status: Type.Literal('succeeded'),
  createdAt: Timestamp,
});

export const PaymentRequestView = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('payment_request'),
    environment: Environment,
    amount: Type.Integer(),
    currency: Type.String(),
    description: Nullable(Type.String()),
    metadata: Type.Record(Type.String(), Type.String()),
    method: StringEnum(['card', 'link', 'checkout'] as const, { description: 'card: charged with a token; link: pay-by-link; checkout: paid on a checkout session.' }),
    status: StringEnum(['pending', 'succeeded', 'failed', 'partially_refunded', 'refunded', 'expired'] as const),
    amountRefunded: Type.Integer(),
    card: Nullable(Type.Object({ brand: Type.String(), last4: Type.String() })),
    failure: Nullable(Type.Object({ code: Type.String(), message: Type.String() }), { description: 'Why the latest charge attempt failed.' }),
    paymentId: Nullable(Type.String({ description: 'The latest charge attempt (pay_…).' })),
    checkoutSessionId: Nullable(Type.String()),
    paymentUrl: Nullable(Type.String({ description: 'Pay-by-link: the hosted page the customer pays at.' })),
    expiresAt: Nullable(Timestamp),
    refunds: Type.Array(RefundView),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { description: "Azupay's paymentRequest: what was asked, and what became of it." },
);

export const CreateRefundBody = Type.Object(
  {
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units; default: everything not yet refunded.' })),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
