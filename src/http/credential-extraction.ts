import type { IncomingHttpHeaders } from 'node:http';
import { decodeBasicCredentials } from '../domain/basic-credentials.js';
import { TesseraError } from '../domain/errors.js';

export interface PresentedCredential {
  secret: string;
  /** Basic auth user: the key's public id. */
  keyId: string | null;
}

// Room for an access token (a JWT of a few hundred bytes); far beyond it is garbage.
const MAX_CREDENTIAL_LENGTH = 4096;

function malformed(message: string): TesseraError {
  return new TesseraError('malformed_credential', message, { headers: { 'www-authenticate': 'Bearer realm="tessera", Basic realm="tessera"' } });
}

/** Whether `value` starts with `scheme` (lower-case ASCII letters) in any case, then its first space. */
function hasScheme(value: string, scheme: string): boolean {
  if (value.charCodeAt(scheme.length) !== 0x20) return false;
  // Setting bit 0x20 lower-cases an ASCII letter; the scheme holds letters only, so nothing else can match.
  for (let i = 0; i < scheme.length; i++) if ((value.charCodeAt(i) | 0x20) !== scheme.charCodeAt(i)) return false;
  return true;
}

function fromAuthorization(value: string): PresentedCredential | TesseraError {
  const space = value.indexOf(' ');
  const token = space === -1 ? '' : value.slice(space + 1).trim();
  if (token === '') return malformed('The Authorization header has no credential after its scheme: send "Bearer <key>".');
  if (token.length > MAX_CREDENTIAL_LENGTH) return malformed('The credential in the Authorization header is far longer than any key.');
  // Compared in place: this runs on every request, and slicing and lower-casing the scheme would allocate twice.
  if (hasScheme(value, 'bearer')) return { secret: token, keyId: null };
  if (hasScheme(value, 'basic')) {
    const basic = decodeBasicCredentials(token);
    if (basic === null) return malformed('Basic credentials must be base64 of "<key id>:<secret>".');
    return { secret: basic.password, keyId: basic.user === '' ? null : basic.user };
  }
  return malformed('Unsupported Authorization scheme: use Bearer or Basic.');
}

/**
 * The API key of a request, from `Authorization` (Bearer or Basic), then
 * `X-API-Key`, then the header names the operator configured.
 */
export function extractCredential(headers: IncomingHttpHeaders, extraHeaders: readonly string[]): PresentedCredential | TesseraError | null {
  const authorization = headers.authorization;
  if (authorization !== undefined && authorization !== '') return fromAuthorization(authorization);
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return credentialFromHeader('X-API-Key', apiKey);
  for (const name of extraHeaders) {
    const value = headers[name];
    if (typeof value === 'string' && value !== '') return credentialFromHeader(name, value);
  }
  return null;
}

/** A key sent alone as a header's whole value (X-API-Key, the configured names, two-credential routes). */
export function credentialFromHeader(name: string, value: string): PresentedCredential | TesseraError {
  return value.length > MAX_CREDENTIAL_LENGTH ? malformed(`The ${name} header is far longer than any key.`) : { secret: value.trim(), keyId: null };
}
