import { secretDigest } from '../domain/digest.js';
import type { Environment } from '../domain/environment.js';
import { credentialStatus } from '../domain/credential.js';
import { TesseraError, type ErrorCode } from '../domain/errors.js';
import { parseSecret, secretPrefix, type SecretKind } from '../domain/key-format.js';
import type { Operation } from '../domain/operations.js';
import { decideOperation } from '../domain/permissions.js';
import type { Principal } from '../domain/principal.js';
import type { SlidingWindowRateLimiter } from '../domain/rate-limiter.js';
import { verifyHttpMessageSignature, type ReplayGuard } from '../domain/signatures/http-message-signature.js';
import { verifyPayloadSignature } from '../domain/signatures/payload-signature.js';
import type { SignedMessage } from '../domain/signatures/signed-message.js';
import type { CredentialsRepository } from '../storage/credentials-repository.js';
import { buildAuthEntry, type AuthEntry, type Unsealer } from './auth-entry.js';
import { CredentialCache } from './credential-cache.js';
import type { RecentCredential } from './recent-credential.js';
import type { ClientSecretService } from './client-secrets.js';
import { CUSTOMER_OPERATIONS } from '../domain/client-secret.js';
import type { AccessTokenVerifier, VerifiedToken } from './oauth/access-token-verifier.js';
import type { TokenRevocations } from './oauth/token-revocations.js';
import { looksLikeJwt } from '../domain/oauth/jwt.js';
import type { UsageRecorder } from './usage-recorder.js';

export type { AuthEntry } from './auth-entry.js';

export interface AuthRequest {
  secret: string;
  /** The key id given beside the secret (Basic auth user); must match. */
  keyId: string | null;
  /** The environment of the host or route, or null when the credential decides. */
  environment: Environment | null;
  operation: Operation;
  ip: string;
  /** The browser origin the request came from (its Origin header), or null from a server. */
  origin: string | null;
  /** Set by the OAuth endpoints: the secret authenticates a client (a client secret is accepted), not an API call. */
  clientAuthentication?: boolean;
}

export type AuthResult = AuthEntry['success'] | { ok: false; error: TesseraError; credentialId: string | null };

export interface AuthenticatorOptions {
  brand: string;
  credentials: CredentialsRepository;
  rateLimiter: SlidingWindowRateLimiter;
  usage: UsageRecorder;
  unseal: Unsealer;
  replay: ReplayGuard;
  signatureToleranceSeconds: number;
  cache: { size: number; negativeSize: number; negativeTtlMs: number };
  /** Client secrets (Ansa); without them a `…_cs_…` secret is unknown. */
  clientSecrets?: ClientSecretService;
  /** Access tokens (OAuth 2.0); without them a Bearer JWT is just a malformed key. */
  tokens?: { verifier: AccessTokenVerifier; revocations: TokenRevocations };
  /**
   * Origins of pages Tessera serves itself (the hosted checkout page, at the
   * public URL): a publishable key is accepted from them whatever its
   * account's allowedOrigins. Secret keys stay refused from every browser.
   */
  ownOrigins?: ReadonlySet<string>;
  now?: () => number;
}

const BEARER_CHALLENGE = 'Bearer realm="tessera"';

/** RFC 6750 challenge; header values must stay printable ASCII without quotes. */
function unauthorized(code: ErrorCode, message: string, challenge = BEARER_CHALLENGE): TesseraError {
  const description = message.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, "'");
  return new TesseraError(code, message, { headers: { 'www-authenticate': `${challenge}, error="invalid_token", error_description="${description}"` } });
}

export function missingCredentialError(acceptedHeaders: string): TesseraError {
  return new TesseraError('missing_credential', `No API key in this request. Send it as "Authorization: Bearer <key>", HTTP Basic (key id as user, secret as password)${acceptedHeaders}.`, {
    headers: { 'www-authenticate': `${BEARER_CHALLENGE}, Basic realm="tessera"` },
  });
}

/** Why a token's client credential no longer backs it (disabled, deleted, expired, rolled), or null. */
function revokedBy(entry: AuthEntry, token: VerifiedToken, now: number): string | null {
  const status = credentialStatus(entry.credential, now);
  if (status !== 'active') return status;
  return entry.credential.secretVersion !== token.claims.ver ? 'rolled' : null;
}

/**
 * Verification as a chain of small steps in SPEC's order: parse, checksum,
 * environment, digest look-up (memory, then database), state, IP allowlist,
 * permission, signature, rate limit. A cached credential is checked
 * synchronously, with no await. For a key that signs, `authenticate` stops
 * before the signature (the body is not read yet) and `completeSigned`
 * finishes once it is.
 */
export class Authenticator {
  readonly cache: CredentialCache<AuthEntry>;
  private readonly outcomes = new Map<string, number>();
  /** Successes, kept apart from `outcomes` so the hot path only increments a number. */
  private okCount = 0;
  private readonly inflight = new Map<string, Promise<AuthEntry | undefined>>();
  private readonly now: () => number;

  constructor(private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? Date.now;
    this.cache = new CredentialCache(options.cache.size, options.cache.negativeSize, options.cache.negativeTtlMs);
  }

  /**
   * `recent` is the connection's memory of its last key (an HTTP keep-alive
   * connection keeps one): when this request presents the same key, the
   * digest and cache look-up are skipped; every check still runs.
   */
  authenticate(request: AuthRequest, recent?: RecentCredential<AuthEntry>): AuthResult | Promise<AuthResult> {
    if (this.options.tokens !== undefined && !request.clientAuthentication && looksLikeJwt(request.secret)) return this.authenticateToken(request, this.options.tokens);
    const generation = this.cache.currentGeneration();
    const remembered = recent?.match(request.secret, generation) ?? null;
    if (remembered !== null) return this.checkCached(remembered, request);
    // Then the cache, by digest: only a miss parses the secret.
    const digest = secretDigest(request.secret);
    const cached = this.cache.get(digest);
    if (cached !== undefined) {
      recent?.remember(request.secret, cached, generation);
      return this.checkCached(cached, request);
    }
    const brand = this.options.brand;
    const parsed = parseSecret(request.secret, brand);
    if (parsed === 'malformed') {
      return this.fail(unauthorized('malformed_credential', `This is not a ${brand} API key: expected ${brand}_{kind}_{sandbox|live}_… as issued. Check that the whole key was copied.`), null);
    }
    if (parsed === 'bad_checksum') {
      return this.fail(unauthorized('invalid_checksum', 'This API key fails its checksum: it was mistyped or truncated. Copy it again from where you stored it.'), null);
    }
    if (parsed.kind === 'signing') {
      return this.fail(unauthorized('malformed_credential', 'This is a signing secret: it signs requests and is never sent. Authenticate with the API key it belongs to.'), null);
    }
    const refused = this.refusedUpFront(parsed.kind, parsed.environment, request);
    if (refused !== null) return refused;
    if (this.cache.isKnownMissing(digest, this.now())) return this.unknown();
    if (parsed.kind === 'client_secret') return this.authenticateClientSecret(digest, request);
    return this.load(digest).then((entry) => {
      if (entry === undefined) return this.unknown();
      // Only an entry the cache took: a read that raced an invalidation may be stale.
      if (this.cache.get(digest) === entry) recent?.remember(request.secret, entry, generation);
      return this.check(entry, request);
    });
  }

  /** A credential from the cache: a secret in it was well-formed and checksummed when loaded, so its kind and environment come from the entry. */
  private checkCached(entry: AuthEntry, request: AuthRequest): AuthResult {
    return this.refusedUpFront(entry.kind, entry.environment, request) ?? this.check(entry, request);
  }

  /** The refusals that need only the kind and environment of the secret, not its record. */
  private refusedUpFront(kind: SecretKind, environment: Environment, request: AuthRequest): AuthResult | null {
    if (kind === 'client' && !request.clientAuthentication) {
      return this.fail(unauthorized('client_secret_not_a_key', 'This is an OAuth client secret: exchange it at POST /oauth/token (grant_type=client_credentials) and send the access token as Bearer.'), null);
    }
    if (request.environment !== null && environment !== request.environment) {
      return this.fail(
        new TesseraError('environment_mismatch', `A ${environment} key can't be used against the ${request.environment} environment. Use a ${request.environment} key (${secretPrefix(this.options.brand, kind, request.environment)}…).`),
        null,
      );
    }
    if (request.origin !== null && kind !== 'publishable' && kind !== 'client_secret') {
      return this.fail(
        new TesseraError('secret_key_in_browser', 'A secret key arrived from a browser (this request has an Origin header). Secret and restricted keys belong on your server, never in a web page; browsers use publishable keys. Roll this key if it was shipped to a browser.'),
        null,
      );
    }
    return null;
  }

  /**
   * An access token: the same checks as a key (environment, state of the
   * client credential through the same cache, IP allowlist, permission against
   * the token's scope, the credential's rate limit), after its signature.
   */
  private authenticateToken(request: AuthRequest, tokens: NonNullable<AuthenticatorOptions['tokens']>): AuthResult | Promise<AuthResult> {
    const verified = tokens.verifier.verify(request.secret);
    if ('code' in verified) return this.fail(unauthorized(verified.code, verified.message), null);
    const claims = verified.claims;
    if (tokens.revocations.isRevoked(claims.jti)) return this.fail(unauthorized('token_revoked', 'This access token was revoked. Request a new one at /oauth/token.'), claims.client_id);
    if (request.environment !== null && claims.env !== request.environment) {
      return this.fail(new TesseraError('environment_mismatch', `A ${claims.env} access token can't be used against the ${request.environment} environment. Obtain one with ${request.environment} client credentials.`), claims.client_id);
    }
    if (request.origin !== null) {
      return this.fail(new TesseraError('secret_key_in_browser', 'An access token arrived from a browser (this request has an Origin header). Access tokens belong on your server; browsers use publishable keys or client secrets.'), claims.client_id);
    }
    const cached = this.cache.getByCredentialId(claims.client_id);
    if (cached !== undefined) return this.checkToken(cached, verified, request);
    return this.loadById(claims.client_id).then((entry) =>
      entry === undefined ? this.fail(unauthorized('credential_revoked', 'The client credential that obtained this token no longer exists.'), claims.client_id) : this.checkToken(entry, verified, request),
    );
  }

  /**
   * A client secret: alive while unexpired, its object still open and the key
   * that minted it still enabled; then only its object's customer-facing
   * operations, from the account's allowed origins.
   */
  private async authenticateClientSecret(digest: string, request: AuthRequest): Promise<AuthResult> {
    const generation = this.cache.currentGeneration();
    const found = await this.options.clientSecrets?.find(digest);
    if (found === undefined) {
      // Unknown client secrets are remembered like unknown keys: a flood of them costs one query each at most.
      this.cache.setMissing(digest, this.now(), generation);
      return this.unknown();
    }
    const now = this.now();
    // Refusals count against the key that minted the secret: that is the key the dashboard charts.
    if (found.expiresAt <= now) return this.fail(unauthorized('credential_expired', `This client secret expired at ${new Date(found.expiresAt).toISOString()}. Ask the merchant's server for a new one.`), found.mintedBy);
    const minter = this.cache.getByCredentialId(found.mintedBy) ?? (await this.loadById(found.mintedBy));
    if (minter === undefined || credentialStatus(minter.credential, now) !== 'active') {
      return this.fail(unauthorized('credential_revoked', 'The key that minted this client secret was disabled or deleted, which ends it.'), found.mintedBy);
    }
    if (!(await this.options.clientSecrets!.isOpen(found.accountId, found.environment, found.object))) {
      return this.fail(unauthorized('credential_revoked', `This client secret's ${found.object.type.replace('_', ' ')} is no longer awaiting payment, which ends it.`), found.mintedBy);
    }
    if (request.origin !== null && !minter.allowedOrigins.has(request.origin) && !this.options.ownOrigins?.has(request.origin)) {
      return this.fail(new TesseraError('origin_not_allowed', `The origin ${request.origin} is not in this account's allowedOrigins.`), found.mintedBy);
    }
    const principal: Principal = {
      accountId: found.accountId,
      accountType: minter.accountType,
      environment: found.environment,
      credentialId: found.id,
      kind: 'client_secret',
      permissions: CUSTOMER_OPERATIONS,
      boundObject: found.object,
    };
    const decision = decideOperation(principal, request.operation);
    if (!decision.allowed) return this.fail(new TesseraError('permission_denied', `A client secret may only perform its object's customer-facing operations (${CUSTOMER_OPERATIONS.join(', ')}).`), found.mintedBy);
    this.okCount++;
    // The customer's side never signs, whatever the minting key does.
    return { ok: true, principal, entry: { ...minter, verification: null } };
  }

  /** For introspection: is this token valid and backed by a live credential? No rate limit, no usage record. */
  async tokenIsActive(verified: VerifiedToken): Promise<boolean> {
    const tokens = this.options.tokens;
    if (tokens === undefined || tokens.revocations.isRevoked(verified.claims.jti)) return false;
    const entry = this.cache.getByCredentialId(verified.claims.client_id) ?? (await this.loadById(verified.claims.client_id));
    return entry !== undefined && revokedBy(entry, verified, this.now()) === null;
  }

  private checkToken(entry: AuthEntry, token: VerifiedToken, request: AuthRequest): AuthResult {
    const credential = entry.credential;
    const now = this.now();
    const dead = revokedBy(entry, token, now);
    if (dead !== null) {
      return this.fail(unauthorized('credential_revoked', `The client credential ${credential.id} that obtained this token was ${dead}, which revokes its tokens. Obtain a token with valid client credentials.`), credential.id);
    }
    if (entry.allowlist !== null && !entry.allowlist.allows(request.ip)) {
      return this.fail(new TesseraError('ip_not_allowed', `Client credential ${credential.id} only accepts requests from its allowlisted IPs, and this one came from ${request.ip}.`), credential.id);
    }
    const principal = (token.principal ??= { accountId: token.claims.acct, accountType: entry.accountType, environment: token.claims.env, credentialId: credential.id, kind: 'client', permissions: token.scope });
    const decision = decideOperation(principal, request.operation);
    if (!decision.allowed) return this.fail(new TesseraError(decision.code, decision.reason.replace('This key was not created with', 'This access token was not granted')), credential.id);
    const limited = this.limit(entry, request.ip, now);
    return limited ?? { ok: true, principal, entry };
  }

  /** The signature and rate-limit steps of a key that signs, once the body is read. */
  completeSigned(entry: AuthEntry, message: SignedMessage, ip: string): AuthResult {
    const verification = entry.verification;
    if (verification === null) throw new TypeError('completeSigned called for a key that does not sign');
    const now = this.now();
    const failure =
      verification.scheme === 'payload-signature'
        ? verifyPayloadSignature(message.header('payload-signature'), message.body, verification.key.hmacKey!)
        : verifyHttpMessageSignature(message, verification.key, {
            now: Math.floor(now / 1000),
            toleranceSeconds: this.options.signatureToleranceSeconds,
            replay: this.options.replay,
          });
    if (failure !== null) return this.fail(unauthorized(failure.code, failure.message, 'Signature'), entry.credential.id);
    return this.admit(entry, ip, now);
  }

  /** Drops a credential (or, given an account id, all of the account's) in this process; the next request re-reads it. */
  invalidate(id: string): void {
    if (id.startsWith('acct_')) this.cache.invalidateWhere((entry) => entry.credential.accountId === id);
    else this.cache.invalidateCredential(id);
  }

  /** Every outcome so far, by reason, `ok` included. */
  outcomeCounts(): ReadonlyMap<string, number> {
    return new Map([['ok', this.okCount], ...this.outcomes]);
  }

  count(outcome: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  private load(digest: string): Promise<AuthEntry | undefined> {
    let pending = this.inflight.get(digest);
    if (pending !== undefined) return pending;
    const generation = this.cache.currentGeneration();
    pending = this.options.credentials
      .findAuthRecord(digest)
      .then((record) => {
        if (record === undefined) {
          this.cache.setMissing(digest, this.now(), generation);
          return undefined;
        }
        const entry = buildAuthEntry(record, this.options.unseal, this.options.usage.slot(record.credential.id));
        this.cache.set(digest, entry, generation);
        return entry;
      })
      .finally(() => this.inflight.delete(digest));
    this.inflight.set(digest, pending);
    return pending;
  }

  private loadById(credentialId: string): Promise<AuthEntry | undefined> {
    const key = `id:${credentialId}`;
    let pending = this.inflight.get(key);
    if (pending !== undefined) return pending;
    const generation = this.cache.currentGeneration();
    pending = this.options.credentials
      .findAuthRecordById(credentialId)
      .then((record) => {
        if (record === undefined) return undefined;
        const entry = buildAuthEntry(record, this.options.unseal, this.options.usage.slot(record.credential.id));
        this.cache.set(key, entry, generation);
        return entry;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, pending);
    return pending;
  }

  private unknown(): AuthResult {
    return this.fail(unauthorized('unknown_credential', 'This API key does not exist. It may have been typed wrong, or belong to another installation.'), null);
  }

  private check(entry: AuthEntry, request: AuthRequest): AuthResult {
    const now = this.now();
    if (request.keyId !== null && request.keyId !== entry.credential.id) {
      return this.fail(unauthorized('key_id_mismatch', 'The key id given as the Basic auth user does not belong to this secret.'), entry.credential.id);
    }
    if (now >= entry.usableUntil) return this.refuseState(entry, now);
    if (entry.allowlist !== null && !entry.allowlist.allows(request.ip)) {
      return this.fail(new TesseraError('ip_not_allowed', `API key ${entry.credential.id} only accepts requests from its allowlisted IPs, and this one came from ${request.ip}. Add that address to the key's allowedIps, or call from an allowed host.`), entry.credential.id);
    }
    if (request.origin !== null && !entry.allowedOrigins.has(request.origin) && !this.options.ownOrigins?.has(request.origin)) {
      return this.fail(new TesseraError('origin_not_allowed', `The origin ${request.origin} is not in this account's allowedOrigins. Add it to the account to use its publishable keys from that site.`), entry.credential.id);
    }
    const decision = decideOperation(entry, request.operation);
    if (!decision.allowed) return this.fail(new TesseraError(decision.code, decision.reason), entry.credential.id);
    // A key that signs goes on in completeSigned, once the body has been read.
    if (entry.verification !== null) return entry.success;
    return this.admit(entry, request.ip, now);
  }

  /** Why a credential past its `usableUntil` is refused: deleted, disabled, expired, or a rolled secret past its grace. */
  private refuseState(entry: AuthEntry, now: number): AuthResult {
    const credential = entry.credential;
    switch (credentialStatus(credential, now)) {
      case 'deleted':
        return this.fail(unauthorized('credential_deleted', `API key ${credential.id} was deleted. Create a new key and use it instead.`), credential.id);
      case 'disabled':
        return this.fail(unauthorized('credential_disabled', `API key ${credential.id} is disabled. Enable it again, or use another key.`), credential.id);
      case 'expired':
        return this.fail(unauthorized('credential_expired', `API key ${credential.id} expired at ${new Date(credential.expiresAt!).toISOString()}. Create a new key.`), credential.id);
      case 'active':
        return this.fail(unauthorized('credential_rolled', `This secret of API key ${credential.id} was replaced by a roll and its grace period ended. Use the new secret.`), credential.id);
    }
  }

  private admit(entry: AuthEntry, ip: string, now: number): AuthResult {
    return this.limit(entry, ip, now) ?? entry.success;
  }

  /** The rate-limit step, then the usage record; answers the failure, or null when admitted. */
  private limit(entry: AuthEntry, ip: string, now: number): AuthResult | null {
    const credential = entry.credential;
    if (entry.rateLimit !== null) {
      const rate = this.options.rateLimiter.hit(credential.id, entry.rateLimit);
      if (!rate.allowed) {
        return this.fail(
          new TesseraError('rate_limited', `API key ${credential.id} is over its limit of ${entry.rateLimit.requests} requests per ${entry.rateLimit.windowSeconds} s. Retry after ${rate.retryAfterSeconds} s.`, {
            headers: { 'retry-after': String(rate.retryAfterSeconds) },
          }),
          credential.id,
        );
      }
    }
    entry.usage.use(ip, now);
    this.okCount++;
    return null;
  }

  private fail(error: TesseraError, credentialId: string | null): AuthResult {
    this.count(error.code);
    // Per-key usage by outcome (the dashboard's chart): a counter in memory, flushed in batches.
    if (credentialId !== null) this.options.usage.slot(credentialId).refuse(error.status, this.now());
    return { ok: false, error, credentialId };
  }
}
