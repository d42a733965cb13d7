import { createHash } from 'node:crypto';
import type { FastifyRequest, onSendHookHandler, preHandlerHookHandler } from 'fastify';
import type { IdempotencyService } from '../services/idempotency.js';
import { principalOf } from './authentication.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim: { scope: string; keyDigest: string } | null;
  }
}

function fingerprint(request: FastifyRequest): string {
  const hash = createHash('sha256').update(`${request.method} ${request.url}\n`);
  if (request.rawBody !== null) hash.update(request.rawBody);
  return hash.digest('base64url');
}

/**
 * `Idempotency-Key` on a POST: claimed after authentication and validation,
 * completed with the response as it is sent. Only the handler's outcome is
 * remembered; a 5xx releases the key so a retry runs again. Callback-style
 * hooks: most requests carry no key, and they pass without a promise or a
 * microtask.
 */
export function idempotencyHooks(service: IdempotencyService): { preHandler: preHandlerHookHandler; onSend: onSendHookHandler } {
  const preHandler: preHandlerHookHandler = function claimIdempotencyKey(request, reply, done) {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return done();
    const key = Array.isArray(header) ? header.join(',') : header;
    const principal = principalOf(request);
    service.begin(`${principal.accountId}:${principal.environment}`, key, fingerprint(request)).then((start) => {
      if (start.kind === 'replay') {
        // Answering from the hook ends the request here: done() is not called.
        reply.code(start.response.status).header('idempotent-replayed', 'true').type('application/json; charset=utf-8').send(start.response.body);
        return;
      }
      request.idempotencyClaim = { scope: start.scope, keyDigest: start.keyDigest };
      done();
    }, done);
  };
  const onSend: onSendHookHandler = function rememberResponse(request, reply, payload, done) {
    const claim = request.idempotencyClaim;
    if (claim === null) return done(null, payload);
    request.idempotencyClaim = null;
    const remembered = reply.statusCode >= 500 || typeof payload !== 'string' ? service.release(claim.scope, claim.keyDigest) : service.complete(claim.scope, claim.keyDigest, { status: reply.statusCode, body: payload });
    remembered.then(() => done(null, payload), done);
  };
  return { preHandler, onSend };
}
