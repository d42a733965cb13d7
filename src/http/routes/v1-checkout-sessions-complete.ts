import { Type } from 'typebox';
import { TesseraError } from '../../domain/errors.js';
import type { App, RouteDeps } from '../route-deps.js';
import { CompleteCheckoutSessionBody, CompletedCheckoutSessionView, SessionIdParam } from '../schemas/checkout.js';
import { ErrorResponse } from '../schemas/common.js';

export function registerCompleteCheckoutSession(app: App, deps: RouteDeps): void {
  app.post('/v1/checkout/sessions/:sessionId/complete', {
    schema: {
      summary: 'Pay a checkout session with a card token (what the hosted page calls)',
      description:
        'No key: the session id is the capability, and the token (made with the account’s publishable key) carries the card. Completes at most once: concurrent calls charge exactly one card. A decline answers 402 card_declined and the session stays payable; a paid session answers 409 checkout_session_completed.',
      tags: ['Checkout'],
      params: Type.Object({ sessionId: SessionIdParam }),
      body: CompleteCheckoutSessionBody,
      response: { 200: CompletedCheckoutSessionView, 400: ErrorResponse, 402: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
    },
    handler: async (request) => {
      const result = await deps.payments.checkout.complete(request.params.sessionId, request.body.token, deps.environmentOf(request.raw));
      if (result.kind === 'failed') throw new TesseraError(result.payment.failureCode ?? 'card_declined', result.payment.failureMessage ?? 'The card was declined.', { param: 'token' });
      return { id: result.session.id, object: 'checkout_session' as const, status: 'completed' as const, redirectUrl: result.redirectUrl };
    },
  });
}
