import type { Environment } from '../environment.js';

/**
 * RFC 9068 access token claims, plus what Tessera needs to apply the same
 * checks as for a key: the environment, the account, and the version of the
 * client credential's secret (a roll kills every token issued before it).
 */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope: string;
  /** Tessera: environment of the client credential. */
  env: Environment;
  /** Tessera: the account the credential belongs to. */
  acct: string;
  /** Tessera: the credential's secret version at issuance. */
  ver: number;
}

export type ClaimsFailure = { code: 'token_invalid' | 'token_expired'; message: string };

/** The claims checks of a signed token, each a small named step (jose's jwt_claims_set in spirit). */
export function validateAccessTokenClaims(claims: Record<string, unknown>, expected: { issuer: string; audience: string; nowSeconds: number; leewaySeconds: number }): AccessTokenClaims | ClaimsFailure {
  const c = claims as Partial<AccessTokenClaims>;
  if (c.iss !== expected.issuer) return { code: 'token_invalid', message: 'This access token was issued by another server (iss).' };
  if (c.aud !== expected.audience) return { code: 'token_invalid', message: 'This access token is for another audience (aud).' };
  if (typeof c.exp !== 'number' || typeof c.iat !== 'number' || typeof c.jti !== 'string' || typeof c.client_id !== 'string' || typeof c.scope !== 'string') {
    return { code: 'token_invalid', message: 'This access token lacks required claims.' };
  }
  if (c.env !== 'sandbox' && c.env !== 'live') return { code: 'token_invalid', message: 'This access token names no environment.' };
  if (typeof c.acct !== 'string' || typeof c.ver !== 'number' || typeof c.sub !== 'string') return { code: 'token_invalid', message: 'This access token lacks required claims.' };
  if (c.exp <= expected.nowSeconds - expected.leewaySeconds) {
    return { code: 'token_expired', message: `This access token expired at ${new Date(c.exp * 1000).toISOString()}. Request a new one at /oauth/token.` };
  }
  if (c.iat > expected.nowSeconds + expected.leewaySeconds) return { code: 'token_invalid', message: 'This access token was issued in the future (iat).' };
  return c as AccessTokenClaims;
}

/** Space-separated scope (RFC 6749 §3.3), as operation names. */
export function parseScope(scope: string): string[] {
  return scope.split(' ').filter((s) => s !== '');
}
