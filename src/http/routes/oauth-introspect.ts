import { clientRequestOf, NO_STORE, oauthErrorHandler } from '../oauth-endpoint.js';
import type { App, RouteDeps } from '../route-deps.js';

export function registerOAuthIntrospect(app: App, deps: RouteDeps): void {
  app.post('/oauth/introspect', {
    errorHandler: oauthErrorHandler,
    schema: {
      summary: 'Is this access token active?',
      description: 'RFC 7662. The caller authenticates as a client; tokens of other accounts or environments answer only {"active": false}.',
      tags: ['OAuth 2.0'],
      consumes: ['application/x-www-form-urlencoded'],
    },
    handler: async (request, reply) => reply.headers(NO_STORE).send(await deps.tokens.introspect(clientRequestOf(request, deps))),
  });
}
