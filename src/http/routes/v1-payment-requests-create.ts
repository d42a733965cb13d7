import { getOperation } from '../../domain/operations.js';
import { paymentRequestView } from '../../views/payment-request-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';
import { CreatePaymentRequestBody, PaymentRequestView } from '../schemas/payment-request.js';
import { paymentUrlOf } from './v1-payment-requests-get.js';

export function registerCreatePaymentRequest(app: App, deps: RouteDeps): void {
  const op = getOperation('payment_requests.create');
  app.post('/v1/payment-requests', {
    config: { operation: op.name },
    schema: {
      summary: 'Create a payment request',
      description:
        "Azupay's POST paymentRequest. With `token`, the card is charged now and the answer records the outcome (status succeeded or failed, with the failure). With `payByLink: true`, the answer has a `paymentUrl`: the hosted checkout page, payable until `expiresAt`.",
      tags: ['Payment requests'],
      body: CreatePaymentRequestBody,
      response: { 201: PaymentRequestView, ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const { request: created, refunds } = await deps.payments.paymentRequests.create(principalOf(request), request.body);
      return reply.code(201).send(paymentRequestView(created, refunds, paymentUrlOf(deps, created), deps.now()));
    },
  });
}
