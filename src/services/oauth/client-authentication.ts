import { decodeBasicCredentials } from '../../domain/basic-credentials.js';
import type { Environment } from '../../domain/environment.js';
import { getOperation } from '../../domain/operations.js';
import type { AuthEntry, Authenticator } from '../authenticator.js';
import { OAuthError } from './oauth-error.js';

export type OAuthForm = Record<string, string | string[]>;

export interface ClientRequest {
  form: OAuthForm;
  authorization: string | undefined;
  ip: string;
  environment: Environment | null;
}

const CLIENT_OPERATION = getOperation('oauth.token');

/**
 * A single-valued form parameter; RFC 6749 §3.2 forbids repeating one, and
 * says one sent without a value is treated as if omitted.
 */
export function param(form: OAuthForm, name: string): string | undefined {
  const value = form[name];
  if (Array.isArray(value)) throw new OAuthError('invalid_request', `The ${name} parameter appears more than once.`);
  return value === '' ? undefined : value;
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
function formDecode(text: string): string {
  // Issued ids and secrets are plain base62 and underscores: nothing to decode.
  if (text.indexOf('%') === -1 && text.indexOf('+') === -1) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('invalid_client', 'The Basic credentials are not valid form-urlencoded text.', 401, { 'www-authenticate': 'Basic realm="tessera"' });
  }
}

function presented(request: ClientRequest): { clientId: string; secret: string; basic: boolean } {
  const header = request.authorization;
  const bodyId = param(request.form, 'client_id');
  const bodySecret = param(request.form, 'client_secret');
  // `Basic` alone (HTTP strips the trailing space) is a Basic attempt too: it must fail as one, with the challenge.
  if (header !== undefined && /^basic(?: |$)/i.test(header)) {
    if (bodySecret !== undefined) throw new OAuthError('invalid_request', 'Use one client authentication method: HTTP Basic or client_secret in the body, not both.');
    const basic = decodeBasicCredentials(header.slice(6).trim());
    if (basic === null) throw new OAuthError('invalid_client', 'Basic credentials must be base64 of client_id:client_secret.', 401, { 'www-authenticate': 'Basic realm="tessera"' });
    const clientId = formDecode(basic.user);
    if (bodyId !== undefined && bodyId !== clientId) throw new OAuthError('invalid_request', 'client_id in the body differs from the Basic credentials.');
    return { clientId, secret: formDecode(basic.password), basic: true };
  }
  if (bodyId === undefined || bodySecret === undefined) {
    throw new OAuthError('invalid_client', 'Client authentication is required: HTTP Basic with client_id:client_secret, or client_id and client_secret in the body.', 401, { 'www-authenticate': 'Basic realm="tessera"' });
  }
  return { clientId: bodyId, secret: bodySecret, basic: false };
}

/**
 * Authenticates the calling client (client_secret_basic or client_secret_post)
 * through the same authenticator, cache and checks as every API key.
 */
export async function authenticateClient(authenticator: Authenticator, request: ClientRequest): Promise<AuthEntry> {
  const { clientId, secret, basic } = presented(request);
  const result = await authenticator.authenticate({ secret, keyId: clientId, environment: request.environment, operation: CLIENT_OPERATION, ip: request.ip, origin: null, clientAuthentication: true });
  if (result.ok) return result.entry;
  const error = result.error;
  const challenge: Record<string, string> = basic ? { 'www-authenticate': 'Basic realm="tessera"' } : {};
  if (error.status === 429) throw new OAuthError('invalid_request', error.message, 429, error.headers);
  if (error.status === 403) throw new OAuthError('unauthorized_client', error.message);
  throw new OAuthError('invalid_client', error.message, 401, challenge);
}
