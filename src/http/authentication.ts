import type { FastifyReply, FastifyRequest, onRequestHookHandler, preValidationHookHandler } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TwoCredentialRoute } from '../config.js';
import type { Environment } from '../domain/environment.js';
import { isTesseraError, notFound, TesseraError } from '../domain/errors.js';
import type { Operation } from '../domain/operations.js';
import type { BoundObjectType, Principal } from '../domain/principal.js';
import { missingCredentialError, type AuthEntry, type Authenticator, type AuthResult } from '../services/authenticator.js';
import { RecentCredential } from '../services/recent-credential.js';
import { credentialFromHeader, extractCredential } from './credential-extraction.js';
import { sendError } from './error-handler.js';
import { plainHttpRefusal, type TransportPolicy } from './transport-policy.js';
import { signedMessageOf } from './signed-request.js';
import type { SessionService } from '../services/session-service.js';
import { authenticateBySession, hasSessionCookie } from './session-authentication.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authentication on every protected route; null on public ones. */
    principal: Principal | null;
    /** Keys that must still prove their signature once the body is read. */
    pendingSignatures: AuthEntry[] | null;
  }
}

export interface AuthenticationSettings {
  authenticator: Authenticator;
  extraHeaders: readonly string[];
  environmentOf: (raw: IncomingMessage) => Environment | null;
  transport: TransportPolicy;
  /** Dashboard sessions: a request with no key but a session cookie is authenticated by it. */
  sessions?: SessionService;
}

/** The principal of a protected route's request; a route without authentication has none. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = request.principal;
  if (principal === null) throw new TypeError(`route ${request.url} used principalOf without declaring an operation`);
  return principal;
}

/**
 * The page a request came from. `Origin: null` is a browser too (a sandboxed
 * frame, a file:// page): it must not pass for a server, and no account can
 * list it among its allowed origins.
 */
function originOf(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  return origin === undefined || origin === '' ? null : origin;
}

function succeed(request: FastifyRequest, reply: FastifyReply, entry: AuthEntry, origin: string | null): void {
  if (entry.verification !== null) (request.pendingSignatures ??= []).push(entry);
  // A publishable key from an allowed browser origin: let that page read the answer.
  if (origin !== null) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
}

function finish(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void, origin: string | null, result: AuthResult): void {
  if (result.ok) {
    request.principal = result.principal;
    succeed(request, reply, result.entry, origin);
    done();
  } else {
    sendError(reply, result.error);
  }
}

const RECENT = Symbol('tessera.recentCredential');

interface RememberingSocket extends Socket {
  [RECENT]?: RecentCredential<AuthEntry>;
}

/** The connection's memory of the key it authenticated with last (keep-alive clients repeat it). */
function recentCredentialOf(request: FastifyRequest): RecentCredential<AuthEntry> {
  const socket = request.raw.socket as RememberingSocket;
  return (socket[RECENT] ??= new RecentCredential());
}

/**
 * onRequest hook for a route performing `op`: runs before the body is read,
 * so an unauthenticated caller can't make the server parse a large body.
 */
export function authenticationHook(settings: AuthenticationSettings, op: Operation): onRequestHookHandler {
  const { authenticator, extraHeaders, environmentOf, transport, sessions } = settings;
  const accepted = [', or X-API-Key', ...extraHeaders.map((h) => `, ${h}`)].join('');
  const bySession = sessions === undefined ? null : { sessions, environmentOf, transport };
  return function authenticate(request, reply, done) {
    const presented = extractCredential(request.headers, extraHeaders);
    if (presented === null) {
      // No key: the dashboard, signed in with a session cookie.
      if (bySession !== null && hasSessionCookie(request)) return authenticateBySession(bySession, op, request, reply, done);
      authenticator.count('missing_credential');
      sendError(reply, missingCredentialError(accepted));
      return;
    }
    if (isTesseraError(presented)) {
      authenticator.count(presented.code);
      sendError(reply, presented);
      return;
    }
    const environment = environmentOf(request.raw);
    if (transport.enforced && request.protocol !== 'https') {
      const refusal = plainHttpRefusal(transport, request, environment, presented.secret);
      if (refusal !== null) {
        authenticator.count(refusal.code);
        void transport.onKeySentOverHttp(presented.secret, request).finally(() => sendError(reply, refusal));
        return;
      }
    }
    const origin = originOf(request);
    const result = authenticator.authenticate({ secret: presented.secret, keyId: presented.keyId, environment, operation: op, ip: request.ip, origin }, recentCredentialOf(request));
    if (result instanceof Promise) result.then((settled) => finish(request, reply, done, origin, settled), done);
    else finish(request, reply, done, origin, result);
  };
}

/**
 * onRequest hook for a route the operator configured to need two credentials
 * at once (Ozura's vault key and merchant key): both valid, of the configured
 * kinds, for the same account and environment. Errors name the header at fault.
 */
export function twoCredentialHook(settings: AuthenticationSettings, op: Operation, route: TwoCredentialRoute): onRequestHookHandler {
  const { authenticator, environmentOf, transport } = settings;
  return function authenticateBoth(request, reply, done) {
    const environment = environmentOf(request.raw);
    // Plain HTTP is refused here as on single-key routes; each key refused travelled in clear.
    if (transport.enforced && request.protocol !== 'https') {
      const refused = route.credentials.flatMap(({ header }) => {
        const value = request.headers[header];
        const refusal = typeof value === 'string' && value !== '' ? plainHttpRefusal(transport, request, environment, value.trim()) : null;
        return refusal === null ? [] : [{ secret: (value as string).trim(), refusal }];
      });
      if (refused.length > 0) {
        authenticator.count(refused[0]!.refusal.code);
        void Promise.all(refused.map(({ secret }) => transport.onKeySentOverHttp(secret, request))).finally(() => sendError(reply, refused[0]!.refusal));
        return;
      }
    }
    const origin = originOf(request);
    const checks = route.credentials.map(async ({ header, kind }) => {
      const value = request.headers[header];
      if (typeof value !== 'string' || value === '') {
        return new TesseraError('missing_credential', `This route needs two keys: ${route.credentials.map((c) => `a ${c.kind} key in ${c.header}`).join(' and ')}. ${header} is missing.`, { param: header });
      }
      const presented = credentialFromHeader(header, value);
      if (isTesseraError(presented)) return new TesseraError(presented.code, presented.message, { param: header, ...(presented.headers && { headers: presented.headers }) });
      const result = await authenticator.authenticate({ secret: presented.secret, keyId: null, environment, operation: op, ip: request.ip, origin });
      if (!result.ok) return new TesseraError(result.error.code, `${header}: ${result.error.message}`, { param: header, ...(result.error.headers && { headers: result.error.headers }) });
      if (result.principal.kind !== kind) return new TesseraError('permission_denied', `${header} must carry a ${kind} key, not a ${result.principal.kind} key.`, { param: header });
      return result.entry;
    });
    Promise.all(checks).then(([first, second]) => {
      for (const outcome of [first, second]) if (outcome instanceof TesseraError) return void sendError(reply, outcome);
      const [a, b] = [first as AuthEntry, second as AuthEntry];
      // One key in both headers is one credential, whatever kinds the route names.
      if (a.credential.id === b.credential.id) {
        return void sendError(reply, new TesseraError('permission_denied', `This route needs two different keys: ${route.credentials[1]!.header} carries the same key as ${route.credentials[0]!.header}.`, { param: route.credentials[1]!.header }));
      }
      if (a.principal.accountId !== b.principal.accountId || a.principal.environment !== b.principal.environment) {
        return void sendError(reply, new TesseraError('credential_account_mismatch', `${route.credentials[0]!.header} and ${route.credentials[1]!.header} belong to different accounts or environments: send both keys of one account.`, { param: route.credentials[1]!.header }));
      }
      request.principal = a.principal;
      succeed(request, reply, a, origin);
      if (b.verification !== null) (request.pendingSignatures ??= []).push(b);
      done();
    }, done);
  };
}

/**
 * preValidation hook: a key that signs proves it here, against the raw body,
 * before the body is validated or acted on; then its rate limit applies.
 */
export function signatureHook(authenticator: Authenticator): preValidationHookHandler {
  return function verifySignatures(request, reply, done) {
    const pending = request.pendingSignatures;
    if (pending === null) return done();
    request.pendingSignatures = null;
    const message = signedMessageOf(request);
    for (const entry of pending) {
      const result = authenticator.completeSigned(entry, message, request.ip);
      if (!result.ok) return void sendError(reply, result.error);
    }
    done();
  };
}

/**
 * onRequest hook, after authentication, of a route declared with
 * `config.requireSignedRequests` (OneKey's cashouts): only a key that signs
 * its requests may call it; its signature is then verified like any other.
 */
export const requireSigningKey: onRequestHookHandler = function requireSigningKey(request, reply, done) {
  const principal = request.principal;
  const signs = principal !== null && (request.pendingSignatures ?? []).some((entry) => entry.credential.id === principal.credentialId);
  if (!signs) {
    return void sendError(
      reply,
      new TesseraError('signing_required', `${request.method} ${request.routeOptions.url ?? request.url} accepts signed requests only, and this key does not sign. Create a key with generateHMAC (or signingPublicKey) and sign every request with it.`),
    );
  }
  done();
};

/** Where a client secret may be used on a route: anywhere its operation allows, or only on its own object named by a path parameter. */
export type ClientSecretScope = 'any' | { type: BoundObjectType; param: string };

/**
 * onRequest hook, after authentication, of a route performing a
 * customer-facing operation: a client secret reaches its own object only.
 * Another object answers 404, as if it did not exist; a route without a
 * declared scope (a list) refuses client secrets.
 */
export function clientSecretScopeHook(scope: ClientSecretScope | undefined): onRequestHookHandler {
  return function restrictToBoundObject(request, reply, done) {
    const bound = request.principal?.boundObject;
    if (bound === undefined || scope === 'any') return done();
    if (scope === undefined) {
      return void sendError(reply, new TesseraError('permission_denied', "A client secret only reaches its own checkout session or payment request, not lists: call this from the merchant's server."));
    }
    const id = (request.params as Record<string, string>)[scope.param];
    if (scope.type !== bound.type || id !== bound.id) return void sendError(reply, notFound(scope.type.replace('_', ' '), id ?? '', scope.param));
    done();
  };
}
