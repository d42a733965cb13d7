import { getOperation } from '../../domain/operations.js';
import { checkoutSessionView } from '../../views/checkout-session-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { CheckoutSessionView } from '../schemas/checkout.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';
import { ListQuery, pageOf } from '../schemas/money.js';

export function registerListCheckoutSessions(app: App, deps: RouteDeps): void {
  const op = getOperation('checkout_sessions.read');
  app.get('/v1/checkout/sessions', {
    config: { operation: op.name },
    schema: {
      summary: 'List checkout sessions, newest first',
      tags: ['Checkout'],
      querystring: ListQuery,
      response: { 200: pageOf(CheckoutSessionView), ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const { checkout } = deps.payments;
      const page = await checkout.list(principalOf(request), { limit: request.query.limit ?? 20, before: request.query.before });
      const now = deps.now();
      return { object: 'list' as const, data: page.data.map((s) => checkoutSessionView(s, checkout.checkoutUrl(s.id), now)), nextCursor: page.nextCursor };
    },
  });
}
