import type { Ed25519PrivateKey, Ed25519PublicKey } from '../../crypto/ed25519.js';

/**
 * Compact JWS with EdDSA (Ed25519), the only algorithm Tessera issues or
 * accepts: nothing is negotiated by the token. Hand-written rather than a
 * general JOSE library because it runs on every token issued and every new
 * token seen, and needs none of the generality.
 */
export const JWT_ALGORITHM = 'EdDSA';
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface JwtHeader {
  alg: string;
  typ: string;
  kid: string;
}

export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The encoded header is the same for every token of a key: encode it once. */
export function encodedHeader(kid: string): string {
  return base64urlJson({ alg: JWT_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid });
}

export function signJwt(encodedHeaderText: string, claims: object, privateKey: Ed25519PrivateKey): string {
  const signingInput = `${encodedHeaderText}.${base64urlJson(claims)}`;
  return `${signingInput}.${privateKey.signBase64url(Buffer.from(signingInput))}`;
}

export type JwtDecodeFailure = 'malformed' | 'unsupported_algorithm';

export interface DecodedJwt {
  header: JwtHeader;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Splits and parses a compact JWS; does not verify it. */
export function decodeJwt(token: string): DecodedJwt | JwtDecodeFailure {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) !== -1 || second === token.length - 1) return 'malformed';
  const [h, p, s] = [token.slice(0, first), token.slice(first + 1, second), token.slice(second + 1)];
  if (!SEGMENT.test(h) || !SEGMENT.test(p) || !SEGMENT.test(s)) return 'malformed';
  let header: JwtHeader;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as JwtHeader;
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return 'malformed';
  }
  if (typeof header !== 'object' || header === null || typeof claims !== 'object' || claims === null || Array.isArray(claims)) return 'malformed';
  if (header.alg !== JWT_ALGORITHM || typeof header.kid !== 'string') return 'unsupported_algorithm';
  return { header, claims, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

export function verifyJwtSignature(decoded: DecodedJwt, publicKey: Ed25519PublicKey): boolean {
  return publicKey.verify(Buffer.from(decoded.signingInput), decoded.signature);
}

/** Cheap test for "this Bearer value is a JWT, not an API key". */
export function looksLikeJwt(value: string): boolean {
  // Exactly two dots, found without splitting: this runs on every Bearer request, so an API key
  // (which can't start with eyJ) is told apart before the scan.
  if (!value.startsWith('eyJ')) return false;
  const second = value.indexOf('.', value.indexOf('.') + 1);
  return second !== -1 && value.indexOf('.', second + 1) === -1;
}
