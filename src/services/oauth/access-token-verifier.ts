import { validateAccessTokenClaims, parseScope, type AccessTokenClaims } from '../../domain/oauth/access-token.js';
import { decodeJwt, verifyJwtSignature } from '../../domain/oauth/jwt.js';
import type { Principal } from '../../domain/principal.js';
import type { TokenSigningKeys } from './token-signing-keys.js';

export interface VerifiedToken {
  kid: string;
  claims: AccessTokenClaims;
  scope: string[];
  /** Built once the credential's account type is known, then reused for every request with the token. */
  principal: Principal | null;
}

export type TokenFailure = { code: 'token_invalid' | 'token_expired'; message: string };

const LEEWAY_SECONDS = 5;

/**
 * Verifies access tokens. Clients reuse a token for its whole life, so a
 * verified token is remembered (bounded): each later request costs a map
 * look-up and an expiry check instead of an Ed25519 verification.
 */
export class AccessTokenVerifier {
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(
    private readonly keys: TokenSigningKeys,
    private readonly expected: { issuer: string; audience: string },
    private readonly now: () => number,
    private readonly capacity = 100_000,
  ) {}

  verify(token: string): VerifiedToken | TokenFailure {
    const nowSeconds = Math.floor(this.now() / 1000);
    const known = this.verified.get(token);
    if (known !== undefined) {
      if (known.claims.exp > nowSeconds - LEEWAY_SECONDS && this.keys.publicKeyFor(known.kid) !== undefined) return known;
      this.verified.delete(token);
    }
    const decoded = decodeJwt(token);
    if (typeof decoded === 'string') return { code: 'token_invalid', message: decoded === 'malformed' ? 'The Bearer value is not a well-formed access token.' : 'Access tokens are signed with EdDSA; this one is not.' };
    if (decoded.header.typ !== 'at+jwt') return { code: 'token_invalid', message: 'The Bearer value is a JWT but not an access token (typ must be at+jwt).' };
    const publicKey = this.keys.publicKeyFor(decoded.header.kid);
    if (publicKey === undefined) return { code: 'token_invalid', message: 'This access token was signed by a key that is unknown or retired. Request a new one at /oauth/token.' };
    if (!verifyJwtSignature(decoded, publicKey)) return { code: 'token_invalid', message: 'This access token has an invalid signature.' };
    const claims = validateAccessTokenClaims(decoded.claims, { ...this.expected, nowSeconds, leewaySeconds: LEEWAY_SECONDS });
    if ('code' in claims) return claims;
    const entry: VerifiedToken = { kid: decoded.header.kid, claims, scope: parseScope(claims.scope), principal: null };
    if (this.verified.size >= this.capacity) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, entry);
    return entry;
  }
}
