import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isTesseraError } from '../domain/errors.js';
import type { ClientRequest, OAuthForm } from '../services/oauth/client-authentication.js';
import { OAuthError } from '../services/oauth/oauth-error.js';
import { anySecretPattern, redactSecrets } from './log-redaction.js';
import type { RouteDeps } from './route-deps.js';

const SECRET_SHAPED = anySecretPattern();

/**
 * RFC 6749 §5.2: error_description is printable ASCII without `"` and `\`.
 * Descriptions may quote what the caller sent (a grant type, scopes): its
 * other characters go, and a pasted secret is redacted as in every error body.
 */
function describe(text: string): string {
  return redactSecrets(text, SECRET_SHAPED)
    .replace(/["\\]/g, "'")
    .replace(/\u2026/g, '...')
    .replace(/[^\x20-\x7e]/g, '');
}

/** The OAuth endpoints answer errors as RFC 6749 §5.2 `{ error, error_description }`, never cached. */
export function oauthErrorHandler(error: FastifyError | OAuthError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const oauth =
    error instanceof OAuthError
      ? error
      : isTesseraError(error) || (error as FastifyError).validation !== undefined || ((error as FastifyError).statusCode ?? 500) < 500
        ? new OAuthError('invalid_request', 'The request must be a POST with an application/x-www-form-urlencoded body (RFC 6749).', 400)
        : null;
  if (oauth === null) {
    request.log.error({ err: error }, 'unhandled error in an OAuth endpoint');
    return reply.code(500).header('cache-control', 'no-store').send({ error: 'server_error', error_description: 'Something went wrong on our side.' });
  }
  return reply.code(oauth.status).headers({ 'cache-control': 'no-store', pragma: 'no-cache', ...oauth.headers }).send({ error: oauth.code, error_description: describe(oauth.description) });
}

export function clientRequestOf(request: FastifyRequest, deps: RouteDeps): ClientRequest {
  const body = request.body;
  const form = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as OAuthForm) : null;
  if (form === null) throw new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded (RFC 6749).');
  return { form, authorization: request.headers.authorization, ip: request.ip, environment: deps.environmentOf(request.raw) };
}

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
