import type { AuthRecord } from '../domain/credential.js';
import { secretDigest } from '../domain/digest.js';
import type { Environment } from '../domain/environment.js';
import { TesseraError, type ErrorCode } from '../domain/errors.js';
import { parseSecret } from '../domain/key-format.js';
import type { Operation } from '../domain/operations.js';
import { decideOperation } from '../domain/permissions.js';
import type { Principal } from '../domain/principal.js';
import type { SlidingWindowRateLimiter } from '../domain/rate-limiter.js';
import type { CredentialsRepository } from '../storage/credentials-repository.js';
import { CredentialCache } from './credential-cache.js';
import type { UsageRecorder } from './usage-recorder.js';

export interface AuthEntry extends AuthRecord {
  principal: Principal;
  /** The success answer for this credential, built once: the hot path allocates nothing. */
  success: AuthResult & { ok: true };
}

export interface AuthRequest {
  secret: string;
  /** The key id given beside the secret (Basic auth user); must match. */
  keyId: string | null;
  /** The environment of the host or route, or null when the credential decides. */
  environment: Environment | null;
  operation: Operation;
  ip: string;
}

export type AuthResult =
  | { ok: true; principal: Principal; entry: AuthEntry }
  | { ok: false; error: TesseraError; credentialId: string | null };

const BEARER_CHALLENGE = 'Bearer realm="tessera"';

/** RFC 6750 challenge; header values must stay printable ASCII without quotes. */
function unauthorized(code: ErrorCode, message: string): TesseraError {
  const description = message.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, "'");
  return new TesseraError(code, message, { headers: { 'www-authenticate': `${BEARER_CHALLENGE}, error="invalid_token", error_description="${description}"` } });
}

export function missingCredentialError(acceptedHeaders: string): TesseraError {
  return new TesseraError('missing_credential', `No API key in this request. Send it as "Authorization: Bearer <key>", HTTP Basic (key id as user, secret as password)${acceptedHeaders}.`, {
    headers: { 'www-authenticate': `${BEARER_CHALLENGE}, Basic realm="tessera"` },
  });
}

function toPrincipal(record: AuthRecord): Principal {
  const c = record.credential;
  return { accountId: c.accountId, accountType: record.accountType, environment: c.environment, credentialId: c.id, kind: c.kind, permissions: c.permissions };
}

/**
 * Verification as a chain of small steps in SPEC's order: parse, checksum,
 * environment, digest look-up (memory, then database), state, permission,
 * rate limit. A cached credential is checked synchronously, with no await.
 */
export class Authenticator {
  readonly cache: CredentialCache<AuthEntry>;
  private readonly outcomes = new Map<string, number>();
  /** Successes, kept apart from `outcomes` so the hot path only increments a number. */
  okCount = 0;
  private readonly inflight = new Map<string, Promise<AuthEntry | undefined>>();

  constructor(
    private readonly brand: string,
    private readonly credentials: CredentialsRepository,
    private readonly rateLimiter: SlidingWindowRateLimiter,
    private readonly usage: UsageRecorder,
    cacheOptions: { size: number; negativeSize: number; negativeTtlMs: number },
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new CredentialCache(cacheOptions.size, cacheOptions.negativeSize, cacheOptions.negativeTtlMs);
  }

  authenticate(request: AuthRequest): AuthResult | Promise<AuthResult> {
    const parsed = parseSecret(request.secret, this.brand);
    if (parsed === 'malformed') {
      return this.fail(unauthorized('malformed_credential', `This is not a ${this.brand} API key: expected ${this.brand}_{kind}_{sandbox|live}_… as issued. Check that the whole key was copied.`), null);
    }
    if (parsed === 'bad_checksum') {
      return this.fail(unauthorized('invalid_checksum', 'This API key fails its checksum: it was mistyped or truncated. Copy it again from where you stored it.'), null);
    }
    if (request.environment !== null && parsed.environment !== request.environment) {
      return this.fail(
        new TesseraError('environment_mismatch', `A ${parsed.environment} key can't be used against the ${request.environment} environment. Use a ${request.environment} key (${parsed.prefix.replace(parsed.environment, request.environment)}…).`),
        null,
      );
    }
    const digest = secretDigest(request.secret);
    const cached = this.cache.get(digest);
    if (cached !== undefined) return this.check(cached, request);
    const now = this.now();
    if (this.cache.isKnownMissing(digest, now)) return this.unknown();
    return this.load(digest).then((entry) => (entry === undefined ? this.unknown() : this.check(entry, request)));
  }

  /** Drops a credential everywhere in this process; the next request re-reads it. */
  invalidate(credentialId: string): void {
    this.cache.invalidateCredential(credentialId);
  }

  private load(digest: string): Promise<AuthEntry | undefined> {
    let pending = this.inflight.get(digest);
    if (pending !== undefined) return pending;
    const generation = this.cache.currentGeneration();
    pending = this.credentials
      .findAuthRecord(digest)
      .then((record) => {
        if (record === undefined) {
          this.cache.setMissing(digest, this.now(), generation);
          return undefined;
        }
        const principal = toPrincipal(record);
        const entry = { ...record, principal } as AuthEntry;
        entry.success = { ok: true, principal, entry };
        this.cache.set(digest, entry, generation);
        return entry;
      })
      .finally(() => this.inflight.delete(digest));
    this.inflight.set(digest, pending);
    return pending;
  }

  private unknown(): AuthResult {
    return this.fail(unauthorized('unknown_credential', 'This API key does not exist. It may have been typed wrong, or belong to another installation.'), null);
  }

  private check(entry: AuthEntry, request: AuthRequest): AuthResult {
    const credential = entry.credential;
    const now = this.now();
    if (request.keyId !== null && request.keyId !== credential.id) {
      return this.fail(unauthorized('key_id_mismatch', 'The key id given as the Basic auth user does not belong to this secret.'), credential.id);
    }
    if (credential.deletedAt !== null) {
      return this.fail(unauthorized('credential_deleted', `API key ${credential.id} was deleted. Create a new key and use it instead.`), credential.id);
    }
    if (!credential.enabled) {
      return this.fail(unauthorized('credential_disabled', `API key ${credential.id} is disabled. Enable it again, or use another key.`), credential.id);
    }
    if (credential.expiresAt !== null && credential.expiresAt <= now) {
      return this.fail(unauthorized('credential_expired', `API key ${credential.id} expired at ${new Date(credential.expiresAt).toISOString()}. Create a new key.`), credential.id);
    }
    if (entry.secretExpiresAt !== null && entry.secretExpiresAt <= now) {
      return this.fail(unauthorized('credential_rolled', `This secret of API key ${credential.id} was replaced by a roll and its grace period ended. Use the new secret.`), credential.id);
    }
    const decision = decideOperation(entry.principal, request.operation);
    if (!decision.allowed) return this.fail(new TesseraError(decision.code, decision.reason), credential.id);
    if (credential.rateLimit !== null) {
      const rate = this.rateLimiter.hit(credential.id, credential.rateLimit);
      if (!rate.allowed) {
        return this.fail(
          new TesseraError('rate_limited', `API key ${credential.id} is over its limit of ${credential.rateLimit.requests} requests per ${credential.rateLimit.windowSeconds} s. Retry after ${rate.retryAfterSeconds} s.`, {
            headers: { 'retry-after': String(rate.retryAfterSeconds) },
          }),
          credential.id,
        );
      }
    }
    this.usage.recordUse(credential.id, request.ip, now);
    this.okCount++;
    return entry.success;
  }

  private fail(error: TesseraError, credentialId: string | null): AuthResult {
    this.count(error.code);
    return { ok: false, error, credentialId };
  }

  /** Every outcome so far, by reason, `ok` included. */
  outcomeCounts(): ReadonlyMap<string, number> {
    return new Map([['ok', this.okCount], ...this.outcomes]);
  }

  count(outcome: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }
}
