import { getOperation } from '../../domain/operations.js';
import { checkoutSessionView } from '../../views/checkout-session-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { CheckoutSessionView, CreateCheckoutSessionBody } from '../schemas/checkout.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';

export function registerCreateCheckoutSession(app: App, deps: RouteDeps): void {
  const op = getOperation('checkout_sessions.create');
  app.post('/v1/checkout/sessions', {
    config: { operation: op.name },
    schema: {
      summary: 'Create a checkout session',
      description:
        'From your server (Ozura: never from a browser). Answers the hosted page URL; send the customer there. The session expires 30 minutes after creation and can be paid once. On your successUrl, verify it with GET /v1/checkout/sessions/{id} before fulfilling.',
      tags: ['Checkout'],
      body: CreateCheckoutSessionBody,
      response: { 201: CheckoutSessionView, ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const session = await deps.payments.checkout.create(principalOf(request), request.body);
      return reply.code(201).send(checkoutSessionView(session, deps.payments.checkout.checkoutUrl(session.id), deps.now()));
    },
  });
}
