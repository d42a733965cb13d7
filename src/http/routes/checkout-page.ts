import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import { isTesseraError } from '../../domain/errors.js';
import { checkoutPageCsp, checkoutPageState, renderCheckoutPage, type CheckoutPageInput } from '../../views/checkout-page.js';
import type { App, RouteDeps } from '../route-deps.js';
import { SessionIdParam } from '../schemas/checkout.js';

/** `/sandbox` or `/live` when the page was reached under an environment prefix, so its API calls keep it. */
function environmentPrefix(originalUrl: string): string {
  if (originalUrl.startsWith('/sandbox/')) return '/sandbox';
  if (originalUrl.startsWith('/live/')) return '/live';
  return '';
}

export function registerCheckoutPage(app: App, deps: RouteDeps): void {
  app.get('/checkout/:sessionId', {
    schema: {
      summary: 'The hosted checkout page (HTML)',
      description: 'Where checkoutUrl points: amount, merchant, a card form; "already paid" once paid, "expired" after 30 minutes. No key: the session id is the capability.',
      tags: ['Checkout'],
      params: Type.Object({ sessionId: SessionIdParam }),
      produces: ['text/html'],
    },
    handler: async (request, reply) => {
      const { checkout } = deps.payments;
      const nonce = randomBytes(18).toString('base64');
      let input: CheckoutPageInput = { session: null, merchantName: '', publishableKey: null, apiBase: environmentPrefix(request.originalUrl), urls: { success: null, cancel: null, error: null }, nonce, now: deps.now() };
      try {
        const model = await checkout.pageModel(request.params.sessionId, deps.environmentOf(request.raw));
        input = { ...input, ...model, urls: checkout.redirectUrls(model.session) };
      } catch (error) {
        if (!isTesseraError(error) || error.code !== 'resource_not_found') throw error;
      }
      return reply
        .code(checkoutPageState(input) === 'not_found' ? 404 : 200)
        .header('content-security-policy', checkoutPageCsp(nonce))
        .header('cache-control', 'no-store')
        .header('x-frame-options', 'DENY')
        .header('referrer-policy', 'no-referrer')
        .header('x-content-type-options', 'nosniff')
        .type('text/html; charset=utf-8')
        .send(renderCheckoutPage(input));
    },
  });
}
