import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import type { PaymentRequest } from '../../domain/payments.js';
import { paymentRequestView } from '../../views/payment-request-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';
import { PaymentRequestIdParam, PaymentRequestView } from '../schemas/payment-request.js';

/** The hosted page of a pay-by-link request. */
export function paymentUrlOf(deps: RouteDeps, request: PaymentRequest): string | null {
  return deps.payments.paymentRequests.paymentUrl(request);
}

export function registerGetPaymentRequest(app: App, deps: RouteDeps): void {
  const op = getOperation('payment_requests.read');
  app.get('/v1/payment-requests/:paymentRequestId', {
    config: { operation: op.name, clientSecretScope: { type: 'payment_request', param: 'paymentRequestId' } },
    schema: {
      summary: 'Get a payment request and its refunds',
      tags: ['Payment requests'],
      params: Type.Object({ paymentRequestId: PaymentRequestIdParam }),
      response: { 200: PaymentRequestView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const { request: found, refunds } = await deps.payments.paymentRequests.get(principalOf(request), request.params.paymentRequestId);
      return paymentRequestView(found, refunds, paymentUrlOf(deps, found), deps.now());
    },
  });
}
