import { Type } from 'typebox';
import { clientRequestOf, NO_STORE, oauthErrorHandler } from '../oauth-endpoint.js';
import type { App, RouteDeps } from '../route-deps.js';

const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Type.String() });

export function registerOAuthToken(app: App, deps: RouteDeps): void {
  app.post('/oauth/token', {
    errorHandler: oauthErrorHandler,
    schema: {
      summary: 'Exchange client credentials for an access token',
      description: 'RFC 6749 §4.4, grant_type=client_credentials; client authentication by HTTP Basic (client_secret_basic) or client_id and client_secret in the form (client_secret_post). The token is a JWT (RFC 9068) signed with EdDSA.',
      tags: ['OAuth 2.0'],
      consumes: ['application/x-www-form-urlencoded'],
      response: {
        200: Type.Object({ access_token: Type.String(), token_type: Type.Literal('Bearer'), expires_in: Type.Integer(), scope: Type.String() }),
        400: OAuthErrorBody,
        401: OAuthErrorBody,
        429: OAuthErrorBody,
      },
    },
    handler: async (request, reply) => reply.headers(NO_STORE).send(await deps.tokens.issue(clientRequestOf(request, deps))),
  });
}
