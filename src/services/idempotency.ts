import type { MasterKeyring } from '../crypto/master-key.js';
import type { Unsealer } from './auth-entry.js';
import { sha256Hex } from '../domain/digest.js';
import { TesseraError } from '../domain/errors.js';
import type { Store } from '../storage/store.js';

export interface StoredResponse {
  status: number;
  body: string;
}

export type IdempotencyStart = { kind: 'proceed'; scope: string; keyDigest: string } | { kind: 'replay'; response: StoredResponse };

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Binds a sealed response to its record, so it can't be moved to another. */
export function idempotencyAad(scope: string, keyDigest: string): string {
  return `idempotency:${scope}:${keyDigest}`;
}

export function idempotencyFingerprintAad(scope: string, keyDigest: string): string {
  return `idempotency-fingerprint:${scope}:${keyDigest}`;
}

/**
 * `Idempotency-Key` on POST: the first request with a key claims it; a retry
 * with the same key and the same request gets the first response back; the
 * same key with a different request is a 409. Stored responses may contain a
 * newly issued secret, so they are sealed under the master key.
 */
export class IdempotencyService {
  constructor(
    private readonly store: Store,
    private readonly keyring: MasterKeyring,
    private readonly unseal: Unsealer,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async begin(callerScope: string, idempotencyKey: string, fingerprint: string): Promise<IdempotencyStart> {
    if (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new TesseraError('invalid_header', `The Idempotency-Key header must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters (a UUID is a good choice).`, { param: 'Idempotency-Key' });
    }
    const keyDigest = sha256Hex(idempotencyKey);
    const now = this.now();
    for (let attempt = 0; attempt < 2; attempt++) {
      const sealedFingerprint = this.keyring.seal(fingerprint, idempotencyFingerprintAad(callerScope, keyDigest));
      if (await this.store.idempotency.claim(callerScope, keyDigest, sealedFingerprint, now)) return { kind: 'proceed', scope: callerScope, keyDigest };
      const existing = await this.store.idempotency.find(callerScope, keyDigest);
      if (existing === undefined) continue; // released between our two statements: claim again
      if (existing.created_at < now - this.ttlMs) {
        await this.store.idempotency.release(callerScope, keyDigest);
        continue;
      }
      if (!this.sameRequest(callerScope, keyDigest, existing.fingerprint, fingerprint)) {
        throw new TesseraError('idempotency_key_reused', 'This Idempotency-Key was already used for a different request (another path or body). Use a new key for a new request.', { param: 'Idempotency-Key' });
      }
      if (existing.state !== 'done' || existing.response_sealed === null || existing.response_status === null) {
        throw new TesseraError('idempotency_request_in_progress', 'A request with this Idempotency-Key is still being processed. Retry in a moment to get its response.', { param: 'Idempotency-Key' });
      }
      const body = this.unseal(existing.response_sealed, idempotencyAad(callerScope, keyDigest)).toString('utf8');
      return { kind: 'replay', response: { status: existing.response_status, body } };
    }
    throw new TesseraError('idempotency_request_in_progress', 'A request with this Idempotency-Key is being processed. Retry in a moment.', { param: 'Idempotency-Key' });
  }

  /**
   * The request's fingerprint is a hash of its body, and a body may carry a
   * card number (POST /v1/tokens): a bare hash of it could be brute-forced
   * from the database. So it is stored sealed under the master key, like the
   * response, and re-sealed when the master key rotates.
   */
  private sameRequest(scope: string, keyDigest: string, stored: string, fingerprint: string): boolean {
    if (!stored.startsWith('mk1.')) return stored === fingerprint; // stored before fingerprints were sealed
    return this.unseal(stored, idempotencyFingerprintAad(scope, keyDigest)).toString('utf8') === fingerprint;
  }

  async complete(scope: string, keyDigest: string, response: StoredResponse): Promise<void> {
    await this.store.idempotency.complete(scope, keyDigest, response.status, this.keyring.seal(response.body, idempotencyAad(scope, keyDigest)));
  }

  /** A failure on our side must not pin the key: the client's retry runs the request again. */
  async release(scope: string, keyDigest: string): Promise<void> {
    await this.store.idempotency.release(scope, keyDigest);
  }

  async prune(): Promise<void> {
    await this.store.idempotency.pruneBefore(this.now() - this.ttlMs);
  }
}
