import { Type } from 'typebox';
import { publicCheckoutSessionView } from '../../views/checkout-session-view.js';
import type { App, RouteDeps } from '../route-deps.js';
import { PublicCheckoutSessionView, SessionIdParam } from '../schemas/checkout.js';
import { ErrorResponse } from '../schemas/common.js';

export function registerGetCheckoutSession(app: App, deps: RouteDeps): void {
  app.get('/v1/checkout/sessions/:sessionId', {
    schema: {
      summary: 'Get a checkout session (no key: the id is the capability)',
      description: 'Status and amounts, nothing sensitive. Verify `status: completed` here, from your server, before fulfilling an order (Ozura: "verify payments server-side").',
      tags: ['Checkout'],
      params: Type.Object({ sessionId: SessionIdParam }),
      response: { 200: PublicCheckoutSessionView, 404: ErrorResponse },
    },
    handler: async (request) => {
      const session = await deps.payments.checkout.getPublic(request.params.sessionId, deps.environmentOf(request.raw));
      return publicCheckoutSessionView(session, deps.now());
    },
  });
}
