import { getOperation } from '../../domain/operations.js';
import { paymentRequestView } from '../../views/payment-request-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';
import { ListQuery, pageOf } from '../schemas/money.js';
import { PaymentRequestView } from '../schemas/payment-request.js';
import { paymentUrlOf } from './v1-payment-requests-get.js';

export function registerListPaymentRequests(app: App, deps: RouteDeps): void {
  const op = getOperation('payment_requests.read');
  app.get('/v1/payment-requests', {
    config: { operation: op.name },
    schema: {
      summary: 'List payment requests, newest first',
      tags: ['Payment requests'],
      querystring: ListQuery,
      response: { 200: pageOf(PaymentRequestView), ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const page = await deps.payments.paymentRequests.list(principalOf(request), { limit: request.query.limit ?? 20, before: request.query.before });
      const now = deps.now();
      return { object: 'list' as const, data: page.data.map(({ request: r, refunds }) => paymentRequestView(r, refunds, paymentUrlOf(deps, r), now)), nextCursor: page.nextCursor };
    },
  });
}
