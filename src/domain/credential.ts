import type { Environment } from './environment.js';
import type { RateLimit } from './rate-limiter.js';
import type { AccountType, CredentialKind } from './principal.js';
import type { SignatureScheme } from './signatures/signing-keys.js';
import type { SigningAlgorithm } from './signatures/signed-message.js';

/** How a key's requests must be signed. HMAC secrets are stored sealed, never here. */
export interface SigningSettings {
  scheme: SignatureScheme;
  algorithm: SigningAlgorithm;
  /** Ed25519 only: the merchant's raw public key, base64. */
  publicKey: string | null;
}

/** A stored credential: everything but its secret, which exists only as digests. */
export interface Credential {
  id: string;
  accountId: string;
  environment: Environment;
  kind: CredentialKind;
  name: string;
  permissions: string[];
  prefix: string;
  last4: string;
  enabled: boolean;
  expiresAt: number | null;
  deletedAt: number | null;
  rateLimit: RateLimit | null;
  /** CIDRs the key may be used from; empty means anywhere. */
  allowedIps: string[];
  signing: SigningSettings | null;
  /** Client credentials: access token lifetime, within the operator's maximum; null for the default. */
  tokenLifetimeSeconds: number | null;
  /** Incremented by every roll; access tokens issued under an older version are dead. */
  secretVersion: number;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
}

/** What authentication needs about a presented secret, cached by its digest. */
export interface AuthRecord {
  credential: Credential;
  accountType: AccountType;
  /** Browser origins the account allows for its publishable keys. */
  accountAllowedOrigins: string[];
  /** The HMAC signing secret sealed under the master key, when the key signs with HMAC. */
  sealedSigningSecret: string | null;
  /** Null for the current secret; the end of the grace period for a rolled one. */
  secretExpiresAt: number | null;
}

export type CredentialStatus = 'active' | 'disabled' | 'expired' | 'deleted';

export function credentialStatus(credential: Credential, now: number): CredentialStatus {
  if (credential.deletedAt !== null) return 'deleted';
  if (!credential.enabled) return 'disabled';
  if (credential.expiresAt !== null && credential.expiresAt <= now) return 'expired';
  return 'active';
}
