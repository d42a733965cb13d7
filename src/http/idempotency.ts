import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onSendHookHandler, preHandlerAsyncHookHandler } from 'fastify';
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
 * remembered; a 5xx releases the key so a retry runs again.
 */
export function idempotencyHooks(service: IdempotencyService): { preHandler: preHandlerAsyncHookHandler; onSend: onSendHookHandler } {
  const preHandler: preHandlerAsyncHookHandler = async function claimIdempotencyKey(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header.join(',') : header;
    const principal = principalOf(request);
    const start = await service.begin(`${principal.accountId}:${principal.environment}`, key, fingerprint(request));
    if (start.kind === 'replay') {
      return reply.code(start.response.status).header('idempotent-replayed', 'true').type('application/json; charset=utf-8').send(start.response.body);
    }
    request.idempotencyClaim = { scope: start.scope, keyDigest: start.keyDigest };
  };
  const onSend: onSendHookHandler = async function rememberResponse(request, reply, payload) {
    const claim = request.idempotencyClaim;
    if (claim === null) return payload;
    request.idempotencyClaim = null;
    if (reply.statusCode >= 500 || typeof payload !== 'string') await service.release(claim.scope, claim.keyDigest);
    else await service.complete(claim.scope, claim.keyDigest, { status: reply.statusCode, body: payload });
    return payload;
  };
  return { preHandler, onSend };
}
