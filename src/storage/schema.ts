import type { Generated } from 'kysely';
import type { PaymentTables } from './payments-schema.js';

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
  /** Incremented by every roll: access tokens carry it, so a roll kills older tokens. */
  secret_version: number;
  token_lifetime_seconds: number | null;
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
  actor_type: 'credential' | 'user' | 'cli' | 'system';
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

export interface OAuthSigningKeysTable {
  kid: string;
  private_key_sealed: string;
  /** Raw Ed25519 public key, base64. */
  public_key: string;
  created_at: number;
  retire_at: number | null;
}

export interface OAuthRevocationsTable {
  jti: string;
  credential_id: string;
  expires_at: number;
  created_at: number;
}

/** A stored event (notifications). `data` is JSON text. */
export interface EventsTable {
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  type: string;
  data: string;
  created_at: number;
}

export interface WebhookEndpointsTable {
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  url: string;
  description: string;
  /** JSON array of event types, `*` or prefix wildcards. */
  event_types: string;
  enabled: number;
  disabled_reason: 'manual' | 'gone' | 'failing' | null;
  /** whsec_ secrets sealed under the master key. */
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: number | null;
  failing_since: number | null;
  /** JSON object of string values. */
  metadata: string;
  created_at: number;
  updated_at: number;
}

/** The delivery outbox: one row per event and endpoint. */
export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  status: 'pending' | 'succeeded' | 'failed';
  attempt_count: number;
  next_attempt_at: number | null;
  /** A worker holds the row until then; a crashed worker's rows become due again after it. */
  lease_until: number | null;
  lease_token: string | null;
  last_attempt_at: number | null;
  last_response_status: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  endpoint_id: string;
  url: string;
  started_at: number;
  duration_ms: number;
  response_status: number | null;
  succeeded: number;
  error: string | null;
}

export interface KeyExpiryNoticesTable {
  credential_id: string;
  kind: 'expiring_soon' | 'expired';
  expires_at: number;
  created_at: number;
}

export interface ClientSecretsTable {
  digest: string;
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  object_type: 'checkout_session' | 'payment_request';
  object_id: string;
  minted_by: string;
  expires_at: number;
  created_at: number;
}

/** Dashboard users; `email` lower-cased and unique, `password_hash` an argon2id PHC string. */
export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
}

export interface MembershipsTable {
  user_id: string;
  account_id: string;
  role: 'owner' | 'developer' | 'viewer';
  created_at: number;
}

/** Only the SHA-256 digest of a session's cookie token is stored. */
export interface DashboardSessionsTable {
  id: string;
  token_digest: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
  ip: string | null;
  user_agent: string | null;
}

export interface InvitationsTable {
  id: string;
  token_digest: string;
  email: string | null;
  account_id: string;
  role: 'owner' | 'developer' | 'viewer';
  inviter_type: 'user' | 'credential' | 'cli' | 'system';
  inviter_id: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  accepted_user_id: string | null;
}

/** Requests per key, hour and outcome, added up in memory and written in batches. */
export interface CredentialUsageTable {
  credential_id: string;
  environment: 'sandbox' | 'live';
  hour: number;
  outcome: 'ok' | '401' | '403' | '429';
  count: number;
}

export interface Database extends PaymentTables {
  accounts: AccountsTable;
  credentials: CredentialsTable;
  credential_secrets: CredentialSecretsTable;
  audit_events: AuditEventsTable;
  credential_changes: CredentialChangesTable;
  idempotency_records: IdempotencyRecordsTable;
  oauth_signing_keys: OAuthSigningKeysTable;
  oauth_revocations: OAuthRevocationsTable;
  client_secrets: ClientSecretsTable;
  events: EventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  key_expiry_notices: KeyExpiryNoticesTable;
  users: UsersTable;
  memberships: MembershipsTable;
  dashboard_sessions: DashboardSessionsTable;
  invitations: InvitationsTable;
  credential_usage: CredentialUsageTable;
}
