import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Environment } from '../domain/environment.js';
import { isTesseraError } from '../domain/errors.js';
import type { Operation } from '../domain/operations.js';
import type { Principal } from '../domain/principal.js';
import { missingCredentialError, type Authenticator, type AuthResult } from '../services/authenticator.js';
import { extractCredential } from './credential-extraction.js';
import { sendError } from './error-handler.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authentication on every protected route; null on public ones. */
    principal: Principal | null;
  }
}

export interface AuthenticationSettings {
  authenticator: Authenticator;
  extraHeaders: readonly string[];
  environmentOf: (raw: IncomingMessage) => Environment | null;
}

/** The principal of a protected route's request; a route without authentication has none. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = request.principal;
  if (principal === null) throw new TypeError(`route ${request.url} used principalOf without declaring an operation`);
  return principal;
}

function finish(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void, result: AuthResult): void {
  if (result.ok) {
    request.principal = result.principal;
    done();
  } else {
    sendError(reply, result.error);
  }
}

/**
 * onRequest hook for a route performing `op`: runs before the body is read,
 * so an unauthenticated caller can't make the server parse a large body.
 */
export function authenticationHook(settings: AuthenticationSettings, op: Operation): onRequestHookHandler {
  const { authenticator, extraHeaders, environmentOf } = settings;
  const accepted = [', or X-API-Key', ...extraHeaders.map((h) => `, ${h}`)].join('');
  return function authenticate(request, reply, done) {
    const presented = extractCredential(request.headers, extraHeaders);
    if (presented === null) {
      authenticator.count('missing_credential');
      sendError(reply, missingCredentialError(accepted));
      return;
    }
    if (isTesseraError(presented)) {
      authenticator.count(presented.code);
      sendError(reply, presented);
      return;
    }
    const result = authenticator.authenticate({ secret: presented.secret, keyId: presented.keyId, environment: environmentOf(request.raw), operation: op, ip: request.ip });
    if (result instanceof Promise) result.then((settled) => finish(request, reply, done, settled), done);
    else finish(request, reply, done, result);
  };
}
