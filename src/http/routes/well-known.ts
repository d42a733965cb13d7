import { listOperations } from '../../domain/operations.js';
import type { App, RouteDeps } from '../route-deps.js';

/** Public OAuth metadata (RFC 8414) and the token signing keys (JWKS). */
export function registerWellKnown(app: App, deps: RouteDeps): void {
  app.get('/.well-known/jwks.json', {
    schema: { summary: 'Public keys that sign access tokens (JWKS)', tags: ['OAuth 2.0'] },
    handler: async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(deps.signingKeys.jwks()),
  });
  app.get('/.well-known/oauth-authorization-server', {
    schema: { summary: 'Authorization server metadata (RFC 8414)', tags: ['OAuth 2.0'] },
    handler: async (_request, reply) => {
      const issuer = deps.oauth.issuer;
      return reply.header('cache-control', 'public, max-age=300').send({
        issuer,
        token_endpoint: `${issuer}/oauth/token`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        introspection_endpoint: `${issuer}/oauth/introspect`,
        revocation_endpoint: `${issuer}/oauth/revoke`,
        grant_types_supported: ['client_credentials'],
        response_types_supported: [],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: listOperations().map((op) => op.name),
        service_documentation: `${issuer}/docs`,
      });
    },
  });
}
