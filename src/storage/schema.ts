import type { Generated } from 'kysely';

/**
 * Storage schema shared by SQLite and PostgreSQL. Times are epoch
 * milliseconds (bigint), flags are 0/1 integers and structured values are
 * JSON text, so both databases store and return the same shapes.
 */
export interface AccountsTable {
  id: string;
  type: 'operator' | 'partner' | 'merchant';
  name: string;
  parent_id: string | null;
  live_enabled: number;
  /** JSON array of origins. */
  allowed_origins: string;
  created_at: number;
}

export interface CredentialsTable {
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  kind: 'secret' | 'restricted' | 'publishable' | 'client';
  name: string;
  /** JSON array of operation names; fixed at creation. */
  permissions: string;
  prefix: string;
  last4: string;
  enabled: number;
  expires_at: number | null;
  deleted_at: number | null;
  rate_limit_requests: number | null;
  rate_limit_window_seconds: number | null;
  /** JSON object of string values. */
  metadata: string;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
  last_used_ip: string | null;
  /** JSON array of CIDRs. */
  allowed_ips: string;
  signing_algorithm: 'hmac-sha256' | 'ed25519' | null;
  signing_scheme: 'http-message-signatures' | 'payload-signature' | null;
  signing_secret_sealed: string | null;
  signing_public_key: string | null;
}

/** Digests of a credential's secrets: the current one, and rolled ones until their grace ends. */
export interface CredentialSecretsTable {
  digest: string;
  credential_id: string;
  last4: string;
  created_at: number;
  /** Null while current; the end of the grace period once rolled. */
  expires_at: number | null;
}

export interface AuditEventsTable {
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  action: string;
  actor_type: 'credential' | 'cli' | 'system';
  actor_id: string;
  credential_id: string | null;
  target_type: string;
  target_id: string;
  ip: string | null;
  request_id: string | null;
  /** JSON object, never a secret. */
  details: string;
  created_at: number;
}

/** Change feed: every process watches it to drop cached credentials another process changed. */
export interface CredentialChangesTable {
  seq: Generated<number>;
  credential_id: string;
  created_at: number;
}

export interface IdempotencyRecordsTable {
  /** `{accountId}:{environment}` of the caller. */
  scope: string;
  key_digest: string;
  fingerprint: string;
  state: 'in_progress' | 'done';
  response_status: number | null;
  /** The first response, sealed under the master key: it may hold a new secret. */
  response_sealed: string | null;
  created_at: number;
}

export interface Database {
  accounts: AccountsTable;
  credentials: CredentialsTable;
  credential_secrets: CredentialSecretsTable;
  audit_events: AuditEventsTable;
  credential_changes: CredentialChangesTable;
  idempotency_records: IdempotencyRecordsTable;
}
