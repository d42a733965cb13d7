import { Ed25519PublicKey } from '../crypto/ed25519.js';
import { HmacSha256Key } from '../crypto/hmac-sha256.js';
import type { AuthRecord } from '../domain/credential.js';
import { IpAllowlist } from '../domain/ip-allowlist.js';
import type { Principal } from '../domain/principal.js';
import type { VerificationKey } from '../domain/signatures/signed-message.js';
import type { SignatureScheme } from '../domain/signatures/signing-keys.js';
import { signingSecretAad } from './key-signing.js';
import type { UsageSlot } from './usage-recorder.js';

/**
 * A credential as the authenticator caches it: everything a request needs,
 * parsed and decrypted once when it is loaded, never per request.
 *
 * The fields a cache hit reads sit first and flat on the entry, not behind
 * `credential` and `principal`: with thousands of keys cached, every further
 * object a request dereferences is a likely CPU cache miss, and those misses,
 * not the checks, were most of the cost of a verification (BENCHMARKS.md, figure 2).
 */
export interface AuthEntry extends AuthRecord {
  /** Until when (ms) the state checks pass: 0 once disabled or deleted; the key's or this secret's expiry; else Infinity. */
  usableUntil: number;
  kind: AuthRecord['credential']['kind'];
  environment: AuthRecord['credential']['environment'];
  permissions: AuthRecord['credential']['permissions'];
  rateLimit: AuthRecord['credential']['rateLimit'];
  principal: Principal;
  allowlist: IpAllowlist | null;
  /** Null when the key does not sign its requests. */
  verification: { scheme: SignatureScheme; key: VerificationKey } | null;
  allowedOrigins: ReadonlySet<string>;
  /** Where this credential's requests are counted, without a look-up per request. */
  usage: UsageSlot;
  /** The success answer for this credential, built once: the hot path allocates nothing. */
  success: { ok: true; principal: Principal; entry: AuthEntry };
}

/** Opens a value sealed under the master key (reloading the keyring if it was rotated). */
export type Unsealer = (sealed: string, associatedData: string) => Buffer;

export function buildAuthEntry(record: AuthRecord, unseal: Unsealer, usage: UsageSlot): AuthEntry {
  const c = record.credential;
  const principal: Principal = { accountId: c.accountId, accountType: record.accountType, environment: c.environment, credentialId: c.id, kind: c.kind, permissions: c.permissions };
  let verification: AuthEntry['verification'] = null;
  if (c.signing !== null) {
    const key: VerificationKey =
      c.signing.algorithm === 'ed25519'
        ? { keyId: c.id, algorithm: 'ed25519', hmacKey: null, publicKey: Ed25519PublicKey.fromBase64(c.signing.publicKey!) }
        : { keyId: c.id, algorithm: 'hmac-sha256', hmacKey: new HmacSha256Key(unseal(record.sealedSigningSecret!, signingSecretAad(c.id))), publicKey: null };
    verification = { scheme: c.signing.scheme, key };
  }
  const usableUntil = c.deletedAt !== null || !c.enabled ? 0 : Math.min(c.expiresAt ?? Infinity, record.secretExpiresAt ?? Infinity);
  const entry: AuthEntry = {
    usableUntil,
    kind: c.kind,
    environment: c.environment,
    permissions: c.permissions,
    rateLimit: c.rateLimit,
    ...record,
    principal,
    allowlist: c.allowedIps.length === 0 ? null : IpAllowlist.parse(c.allowedIps),
    verification,
    allowedOrigins: new Set(record.accountAllowedOrigins),
    usage,
    success: null as unknown as AuthEntry['success'], // refers to the entry itself: set just below
  };
  entry.success = { ok: true, principal, entry };
  return entry;
}
