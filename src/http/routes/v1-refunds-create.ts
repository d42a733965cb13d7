import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { refundView } from '../../views/payment-request-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { ErrorResponse, PROTECTED_ERRORS } from '../schemas/common.js';
import { CreateRefundBody, PaymentRequestIdParam, RefundView } from '../schemas/payment-request.js';

export function registerCreateRefund(app: App, deps: RouteDeps): void {
  const op = getOperation('refunds.create');
  app.post('/v1/payment-requests/:paymentRequestId/refunds', {
    config: { operation: op.name },
    schema: {
      summary: 'Refund a payment request, in full or in part',
      description:
        "Azupay's POST paymentRequest/refund. `amount` defaults to everything not yet refunded. The total refunded never exceeds what was captured, even under concurrent refunds (409 refund_exceeds_captured); the refund is taken from the balance (402 insufficient_funds if it can't cover it).",
      tags: ['Payment requests'],
      params: Type.Object({ paymentRequestId: PaymentRequestIdParam }),
      body: Type.Optional(CreateRefundBody),
      response: { 201: RefundView, ...PROTECTED_ERRORS, 402: ErrorResponse },
    },
    // No body refunds everything left; Fastify validates a missing body as `undefined` against the object schema.
    preValidation: async (request) => {
      if (request.body === undefined || request.body === null) request.body = {};
    },
    handler: async (request, reply) => {
      const refund = await deps.payments.paymentRequests.refund(principalOf(request), request.params.paymentRequestId, request.body ?? {});
      return reply.code(201).send(refundView(refund));
    },
  });
}
