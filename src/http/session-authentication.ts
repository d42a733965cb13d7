import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Environment } from '../domain/environment.js';
import { TesseraError } from '../domain/errors.js';
import type { Operation } from '../domain/operations.js';
import { decideOperation } from '../domain/permissions.js';
import type { Principal } from '../domain/principal.js';
import { roleOperations } from '../domain/roles.js';
import { csrfTokenMatches, SESSION_COOKIE, sessionTokenFromCookies } from '../domain/session-token.js';
import type { ActiveSession, SessionService } from '../services/session-service.js';
import { sendError } from './error-handler.js';
import { plainHttpRefusal, type TransportPolicy } from './transport-policy.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The dashboard session a request was authenticated by; null for API keys and public routes. */
    dashboardSession: ActiveSession | null;
  }
}

export interface SessionSettings {
  sessions: SessionService;
  environmentOf: (raw: IncomingMessage) => Environment | null;
  transport: TransportPolicy;
}

/** The header naming the account a dashboard user acts as (one of their memberships). */
export const ACCOUNT_HEADER = 'tessera-account';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function hasSessionCookie(request: FastifyRequest): boolean {
  return sessionTokenFromCookies(request.headers.cookie) !== null;
}

/** `Set-Cookie` for a new session: httpOnly, SameSite=Strict, Secure over HTTPS, for the session's lifetime. */
export function sessionCookie(request: FastifyRequest, token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${request.protocol === 'https' ? '; Secure' : ''}`;
}

export function clearedSessionCookie(request: FastifyRequest): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${request.protocol === 'https' ? '; Secure' : ''}`;
}

/**
 * A browser request from another site: its Origin names another host than
 * the one it was sent to. SameSite=Strict already keeps the cookie off such
 * requests; this refuses them even where a browser would not.
 */
export function crossSiteRefusal(request: FastifyRequest): TesseraError | null {
  const origin = request.headers.origin;
  if (origin === undefined) return null;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  if (host !== null && host === request.host) return null;
  return new TesseraError('csrf_token_invalid', 'This request came from another site (its Origin is not this server). The dashboard only accepts requests from its own pages.');
}

/** The steps every cookie-authenticated request goes through first: transport, same origin, CSRF token, the session itself. */
async function openSession(settings: SessionSettings, request: FastifyRequest, environment: Environment | null): Promise<ActiveSession | TesseraError> {
  const token = sessionTokenFromCookies(request.headers.cookie);
  if (token === null) return new TesseraError('session_invalid', 'You are not signed in. Sign in to the dashboard first.', { headers: { 'www-authenticate': 'Cookie realm="tessera-dashboard"' } });
  const { transport } = settings;
  if (environment !== null && transport.enforced && request.protocol !== 'https') {
    const refusal = plainHttpRefusal(transport, request, environment, '');
    if (refusal !== null) return refusal;
  }
  const crossSite = crossSiteRefusal(request);
  if (crossSite !== null) return crossSite;
  if (!SAFE_METHODS.has(request.method)) {
    const presented = request.headers[CSRF_HEADER];
    if (!csrfTokenMatches(token, typeof presented === 'string' ? presented : undefined)) {
      return new TesseraError('csrf_token_invalid', `A change made with a dashboard session needs the ${CSRF_HEADER} header, with the csrfToken GET /v1/session answers. Reload the page and try again.`, { param: 'X-CSRF-Token' });
    }
  }
  return settings.sessions.authenticate(token);
}

/**
 * The dashboard's way in to the management API: a route's credential
 * authentication falls back to this when the request carries no key but a
 * session cookie. The principal is then like a key of the account the user
 * acts as (`Tessera-Account`, one of their memberships), of kind `user`,
 * with the permissions of their role there; tenancy then applies unchanged.
 */
export function authenticateBySession(settings: SessionSettings, op: Operation, request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
  const environment = settings.environmentOf(request.raw) ?? 'sandbox';
  reply.header('cache-control', 'no-store');
  principalOfSession(settings, op, request, environment).then((result) => {
    if (result instanceof TesseraError) return void sendError(reply, result);
    request.principal = result;
    done();
  }, done);
}

async function principalOfSession(settings: SessionSettings, op: Operation, request: FastifyRequest, environment: Environment): Promise<Principal | TesseraError> {
  const active = await openSession(settings, request, environment);
  if (active instanceof TesseraError) return active;
  request.dashboardSession = active;
  const header = request.headers[ACCOUNT_HEADER];
  let membership;
  if (typeof header === 'string' && header !== '') {
    membership = await settings.sessions.membership(active.user.id, header);
    if (membership === undefined) {
      return new TesseraError('permission_denied', `You are not a member of ${header.slice(0, 64)}. Pick one of your accounts (GET /v1/session lists them).`, { param: 'Tessera-Account' });
    }
  } else {
    const all = await settings.sessions.membershipsOf(active.user.id);
    if (all.length !== 1) {
      return new TesseraError('missing_header', `You are a member of ${all.length} accounts: name the one you act as in the Tessera-Account header.`, { param: 'Tessera-Account' });
    }
    membership = all[0]!;
  }
  const principal: Principal = {
    accountId: membership.accountId,
    accountType: membership.account.type,
    environment,
    credentialId: active.user.id,
    kind: 'user',
    permissions: roleOperations(membership.role, membership.account.type),
  };
  const decision = decideOperation(principal, op);
  if (!decision.allowed) {
    const reason = op.category === 'operator' ? decision.reason : `Your role on ${membership.accountId} (${membership.role}) does not allow ${op.name}. Ask an owner of the account for a role that does.`;
    return new TesseraError(decision.code, reason);
  }
  return principal;
}

/**
 * onRequest hook of the session's own routes (`config.session`): a signed-in
 * user, whichever account; the CSRF token on every change.
 */
export function sessionOnlyHook(settings: SessionSettings): onRequestHookHandler {
  return function authenticateSessionOnly(request, reply, done) {
    reply.header('cache-control', 'no-store');
    openSession(settings, request, null).then((result) => {
      if (result instanceof TesseraError) return void sendError(reply, result);
      request.dashboardSession = result;
      done();
    }, done);
  };
}

export function sessionOf(request: FastifyRequest): ActiveSession {
  const session = request.dashboardSession;
  if (session === null) throw new TypeError(`route ${request.url} used sessionOf without config.session`);
  return session;
}
