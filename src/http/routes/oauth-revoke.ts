import { clientRequestOf, NO_STORE, oauthErrorHandler } from '../oauth-endpoint.js';
import type { App, RouteDeps } from '../route-deps.js';

export function registerOAuthRevoke(app: App, deps: RouteDeps): void {
  app.post('/oauth/revoke', {
    errorHandler: oauthErrorHandler,
    schema: {
      summary: 'Revoke an access token',
      description: 'RFC 7009. Answers 200 whatever the token; a token is revoked only by the client it was issued to, and stays refused until it would have expired.',
      tags: ['OAuth 2.0'],
      consumes: ['application/x-www-form-urlencoded'],
    },
    handler: async (request, reply) => {
      await deps.tokens.revoke(clientRequestOf(request, deps));
      return reply.headers(NO_STORE).code(200).send();
    },
  });
}
