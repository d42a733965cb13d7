import fastifyStatic from '@fastify/static';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { App } from '../route-deps.js';

/**
 * Built by `vite build` (npm run build) from dashboard/: the same path from
 * src/http/routes (tests) and dist/http/routes (npm start).
 */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dist/dashboard/', import.meta.url));

/**
 * Strict: only our own scripts, styles and API; no inline script, no
 * framing, no plugins. React sets styles through the DOM, which style-src allows.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer');
}

/**
 * The dashboard, a single-page app at /dashboard: its hashed assets from
 * disk (cached for good), and index.html for every other path under it (the
 * app routes in the browser). It calls the public API like any client.
 */
export function registerDashboard(app: App): void {
  const indexFile = `${DASHBOARD_DIR}index.html`;
  const built = existsSync(indexFile);
  const index = built
    ? readFileSync(indexFile)
    : Buffer.from('<!doctype html><html lang="en"><meta charset="utf-8"><title>Tessera dashboard</title><p>The dashboard is not built. Run <code>npm run build</code>, then restart Tessera.</p></html>');
  if (built) {
    void app.register(fastifyStatic, {
      root: `${DASHBOARD_DIR}assets`,
      prefix: '/dashboard/assets/',
      wildcard: false,
      index: false,
      decorateReply: false,
      setHeaders: (res) => {
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        res.setHeader('x-content-type-options', 'nosniff');
      },
    });
  }
  const page = async (_request: unknown, reply: FastifyReply) => secure(reply).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
  app.get('/dashboard', { schema: { hide: true } }, page);
  app.get('/dashboard/*', { schema: { hide: true } }, async (request, reply) => {
    // A missing asset is a 404, not the app's page in place of a script.
    if (request.url.startsWith('/dashboard/assets/')) return reply.callNotFound();
    return page(request, reply);
  });
}
