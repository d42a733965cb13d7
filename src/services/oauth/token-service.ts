import type { Config } from '../../config.js';
import { parseScope, type AccessTokenClaims } from '../../domain/oauth/access-token.js';
import { signJwt } from '../../domain/oauth/jwt.js';
import { randomTokenId } from '../../domain/oauth/token-id.js';
import { OPERATIONS } from '../../domain/operations.js';
import type { Authenticator } from '../authenticator.js';
import type { AccessTokenVerifier } from './access-token-verifier.js';
import { authenticateClient, param, type ClientRequest } from './client-authentication.js';
import { OAuthError } from './oauth-error.js';
import type { TokenRevocations } from './token-revocations.js';
import type { TokenSigningKeys } from './token-signing-keys.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * Scope values refused, as an error may show them: operation names, and only
 * a count of anything else, which could be a pasted secret (error
 * descriptions end up in client logs).
 */
function shownScopes(values: string[]): string {
  const known = values.filter((v) => OPERATIONS.has(v));
  const others = values.length - known.length;
  return [...known, ...(others > 0 ? [`${others} value(s) that name no operation`] : [])].join(', ');
}

export type IntrospectionResponse = { active: false } | ({ active: true; token_type: 'Bearer' } & Omit<AccessTokenClaims, 'ver'>);

/** OAuth 2.0 client credentials grant (RFC 6749 §4.4), introspection (RFC 7662) and revocation (RFC 7009). */
export class TokenService {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly signingKeys: TokenSigningKeys,
    private readonly verifier: AccessTokenVerifier,
    private readonly revocations: TokenRevocations,
    private readonly settings: Config['oauth'],
    private readonly now: () => number,
  ) {}

  async issue(request: ClientRequest): Promise<TokenResponse> {
    const grantType = param(request.form, 'grant_type');
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required: use grant_type=client_credentials.');
    // The value is not echoed: it could be anything, a pasted secret included.
    if (grantType !== 'client_credentials') throw new OAuthError('unsupported_grant_type', 'This grant_type is not supported: this server issues tokens for grant_type=client_credentials only.');
    const requestedScope = param(request.form, 'scope');
    const entry = await authenticateClient(this.authenticator, request);
    const credential = entry.credential;
    if (credential.kind !== 'client') {
      throw new OAuthError('unauthorized_client', `${credential.id} is a ${credential.kind} key, not a client credential: create a key of kind "client" to use the client_credentials grant.`);
    }
    let scope = credential.permissions;
    if (requestedScope !== undefined) {
      const asked = parseScope(requestedScope);
      const outside = asked.filter((s) => !credential.permissions.includes(s));
      if (asked.length === 0 || outside.length > 0) {
        throw new OAuthError('invalid_scope', asked.length === 0 ? 'scope is empty: leave it out to get every permission of the client.' : `Not granted to this client: ${shownScopes(outside)}. It may ask for: ${credential.permissions.join(' ')}.`);
      }
      scope = [...new Set(asked)];
    }
    const lifetime = Math.min(credential.tokenLifetimeSeconds ?? this.settings.defaultTokenLifetimeSeconds, this.settings.maxTokenLifetimeSeconds);
    const iat = Math.floor(this.now() / 1000);
    const claims: AccessTokenClaims = {
      iss: this.settings.issuer,
      sub: credential.id,
      aud: this.settings.audience,
      exp: iat + lifetime,
      iat,
      jti: randomTokenId(),
      client_id: credential.id,
      scope: scope.join(' '),
      env: credential.environment,
      acct: credential.accountId,
      ver: credential.secretVersion,
    };
    const signer = this.signingKeys.signer();
    return { access_token: signJwt(signer.header, claims, signer.privateKey), token_type: 'Bearer', expires_in: lifetime, scope: claims.scope };
  }

  /** Active only for tokens of the caller's own account and environment (any account for the operator). */
  async introspect(request: ClientRequest): Promise<IntrospectionResponse> {
    const token = param(request.form, 'token');
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required.');
    const caller = await authenticateClient(this.authenticator, request);
    const verified = this.verifier.verify(token);
    if ('code' in verified) return { active: false };
    const claims = verified.claims;
    const sameTenant = claims.env === caller.principal.environment && (claims.acct === caller.principal.accountId || caller.principal.accountType === 'operator');
    if (!sameTenant || !(await this.authenticator.tokenIsActive(verified))) return { active: false };
    const { ver: _version, ...visible } = claims;
    return { active: true, token_type: 'Bearer', ...visible };
  }

  /** RFC 7009: always 200; a token is revoked only by the client it was issued to. */
  async revoke(request: ClientRequest): Promise<void> {
    const token = param(request.form, 'token');
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required.');
    const caller = await authenticateClient(this.authenticator, request);
    // Not ours, not valid, or expired: nothing to revoke, and RFC 7009 answers 200 all the same.
    const verified = this.verifier.verify(token);
    if ('code' in verified) return;
    const { jti, exp, client_id: clientId } = verified.claims;
    if (clientId !== caller.credential.id || exp * 1000 <= this.now()) return;
    await this.revocations.revoke(jti, clientId, exp * 1000);
  }
}
