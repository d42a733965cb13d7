import { getOperation } from '../../domain/operations.js';
import { cardTokenView } from '../../views/card-token-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { CardTokenView, CreateCardTokenBody } from '../schemas/card-token.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';

export function registerCreateCardToken(app: App, deps: RouteDeps): void {
  const op = getOperation('card_tokens.create');
  app.post('/v1/tokens', {
    config: { operation: op.name, clientSecretScope: 'any' },
    schema: {
      summary: 'Turn card data into a single-use token',
      description:
        "With a publishable key, from the browser (CORS for the account's allowedOrigins, and for Tessera's own hosted page): card data goes to Tessera, never to the merchant's server. The number is Luhn-checked and sealed under the master key, the CVC checked and discarded. Answers the brand and last 4 only. A token pays once, within 15 minutes.",
      tags: ['Card tokens'],
      body: CreateCardTokenBody,
      response: { 201: CardTokenView, ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const token = await deps.payments.vault.tokenize(principalOf(request), request.body);
      return reply.code(201).send(cardTokenView(token));
    },
  });
}
