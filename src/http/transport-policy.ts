import type { FastifyRequest } from 'fastify';
import type { Environment } from '../domain/environment.js';
import { TesseraError } from '../domain/errors.js';
import { parseSecret } from '../domain/key-format.js';
import { decodeJwt, looksLikeJwt } from '../domain/oauth/jwt.js';

/** Where plain HTTP is refused, and what happens to a key that travelled over it. */
export interface TransportPolicy {
  enforced: boolean;
  httpsRequired: ReadonlySet<Environment>;
  brand: string;
  /** Disables and audits the key, when the operator chose to treat such keys as exposed. */
  onKeySentOverHttp(secret: string, request: FastifyRequest): Promise<void>;
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || (address?.startsWith('127.') ?? false);
}

/**
 * OneKey: "calls made over plain HTTP will fail". The environment is the
 * route's or host's, else the key's own. A client on this very machine,
 * talking to the server directly (no proxy in between), never crossed a
 * network, so it may use plain HTTP: that keeps `npm start` usable locally.
 */
export function plainHttpRefusal(policy: TransportPolicy, request: FastifyRequest, pinned: Environment | null, secret: string): TesseraError | null {
  // Checked first: it is the common case in development and costs no parsing.
  if (isLoopback(request.socket.remoteAddress) && isLoopback(request.ip)) return null;
  const environment = pinned ?? presentedEnvironment(secret, policy.brand);
  if (environment === null || !policy.httpsRequired.has(environment)) return null;
  return new TesseraError('https_required', `The ${environment} environment only accepts HTTPS: this request came over plain HTTP. Call the https:// URL, and treat a key sent in clear as exposed (roll it).`);
}

/** The environment a key or access token belongs to, or null when it is neither (authentication answers that). */
function presentedEnvironment(secret: string, brand: string): Environment | null {
  if (looksLikeJwt(secret)) {
    const decoded = decodeJwt(secret);
    const env = typeof decoded === 'string' ? undefined : decoded.claims.env;
    return env === 'live' || env === 'sandbox' ? env : null;
  }
  const parsed = parseSecret(secret, brand);
  return typeof parsed === 'string' ? null : parsed.environment;
}
