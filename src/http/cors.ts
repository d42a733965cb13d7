import type { App } from './route-deps.js';

/**
 * Browsers ask before sending a publishable key cross-origin. A preflight
 * carries no credential, so it can't be answered per account: it is allowed
 * for any origin, and the real request is then checked against the key's
 * account `allowedOrigins` (and refused with 403 otherwise). Secret keys from
 * browsers are refused whatever the preflight said.
 */
export function registerCorsPreflight(app: App, extraHeaders: readonly string[]): void {
  const allowedHeaders = ['authorization', 'content-type', 'x-api-key', 'idempotency-key', ...extraHeaders].join(', ');
  app.options('/*', { schema: { hide: true } }, async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined) return reply.code(204).header('allow', 'GET, POST, PATCH, DELETE, OPTIONS').send();
    return reply
      .code(204)
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', allowedHeaders)
      .header('access-control-max-age', '600')
      .header('vary', 'Origin')
      .send();
  });
}
