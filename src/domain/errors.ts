/**
 * The one error catalogue. Every failure Tessera reports to a caller has a
 * code here; docs/errors.md documents each one (a test enforces it).
 */
export const ERROR_CATALOGUE = {
  // 400: the request itself is wrong
  invalid_request: { status: 400, type: 'invalid_request_error' },
  invalid_json: { status: 400, type: 'invalid_request_error' },
  invalid_utf8: { status: 400, type: 'invalid_request_error' },
  invalid_header: { status: 400, type: 'invalid_request_error' },
  unknown_field: { status: 400, type: 'invalid_request_error' },
  invalid_field: { status: 400, type: 'invalid_request_error' },
  missing_field: { status: 400, type: 'invalid_request_error' },
  unknown_operation: { status: 400, type: 'invalid_request_error' },
  permissions_immutable: { status: 400, type: 'invalid_request_error' },
  field_immutable: { status: 400, type: 'invalid_request_error' },
  unknown_event_type: { status: 400, type: 'invalid_request_error' },
  webhook_url_not_allowed: { status: 400, type: 'invalid_request_error' },
  // 401: who is calling could not be established
  missing_credential: { status: 401, type: 'authentication_error' },
  malformed_credential: { status: 401, type: 'authentication_error' },
  invalid_checksum: { status: 401, type: 'authentication_error' },
  unknown_credential: { status: 401, type: 'authentication_error' },
  credential_expired: { status: 401, type: 'authentication_error' },
  credential_disabled: { status: 401, type: 'authentication_error' },
  credential_deleted: { status: 401, type: 'authentication_error' },
  credential_rolled: { status: 401, type: 'authentication_error' },
  key_id_mismatch: { status: 401, type: 'authentication_error' },
  client_secret_not_a_key: { status: 401, type: 'authentication_error' },
  token_invalid: { status: 401, type: 'authentication_error' },
  token_expired: { status: 401, type: 'authentication_error' },
  token_revoked: { status: 401, type: 'authentication_error' },
  credential_revoked: { status: 401, type: 'authentication_error' },
  // 401: a key that must sign its requests sent one without a valid signature
  signature_missing: { status: 401, type: 'authentication_error' },
  signature_malformed: { status: 401, type: 'authentication_error' },
  signature_unknown_keyid: { status: 401, type: 'authentication_error' },
  signature_missing_component: { status: 401, type: 'authentication_error' },
  signature_content_digest_mismatch: { status: 401, type: 'authentication_error' },
  signature_created_out_of_window: { status: 401, type: 'authentication_error' },
  signature_replayed: { status: 401, type: 'authentication_error' },
  signature_invalid: { status: 401, type: 'authentication_error' },
  // 403: who is calling is known, and may not do this
  permission_denied: { status: 403, type: 'permission_error' },
  environment_mismatch: { status: 403, type: 'permission_error' },
  cannot_manage_own_keys: { status: 403, type: 'permission_error' },
  live_environment_closed: { status: 403, type: 'permission_error' },
  account_type_not_allowed: { status: 403, type: 'permission_error' },
  ip_not_allowed: { status: 403, type: 'permission_error' },
  https_required: { status: 403, type: 'permission_error' },
  secret_key_in_browser: { status: 403, type: 'permission_error' },
  origin_not_allowed: { status: 403, type: 'permission_error' },
  credential_account_mismatch: { status: 403, type: 'permission_error' },
  // 404, 405, 409, 413, 415, 429
  resource_not_found: { status: 404, type: 'not_found_error' },
  route_not_found: { status: 404, type: 'not_found_error' },
  key_deleted: { status: 409, type: 'invalid_request_error' },
  webhook_endpoint_disabled: { status: 409, type: 'invalid_request_error' },
  idempotency_key_reused: { status: 409, type: 'idempotency_error' },
  idempotency_request_in_progress: { status: 409, type: 'idempotency_error' },
  body_too_large: { status: 413, type: 'invalid_request_error' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  rate_limited: { status: 429, type: 'rate_limit_error' },
  // Reference payments API: a missing mandatory header, money that could not move, states that forbid the change
  missing_header: { status: 400, type: 'invalid_request_error' },
  card_declined: { status: 402, type: 'card_error' },
  processing_error: { status: 402, type: 'card_error' },
  insufficient_funds: { status: 402, type: 'balance_error' },
  signing_required: { status: 403, type: 'permission_error' },
  sandbox_only: { status: 403, type: 'permission_error' },
  checkout_session_completed: { status: 409, type: 'invalid_request_error' },
  checkout_session_expired: { status: 409, type: 'invalid_request_error' },
  card_token_used: { status: 409, type: 'invalid_request_error' },
  card_token_expired: { status: 409, type: 'invalid_request_error' },
  payment_not_refundable: { status: 409, type: 'invalid_request_error' },
  refund_exceeds_captured: { status: 409, type: 'invalid_request_error' },
  deposit_not_pending: { status: 409, type: 'invalid_request_error' },
  // Dashboard: sign-in, sessions, CSRF, invitations, members
  sign_in_failed: { status: 401, type: 'authentication_error' },
  session_invalid: { status: 401, type: 'authentication_error' },
  session_expired: { status: 401, type: 'authentication_error' },
  csrf_token_invalid: { status: 403, type: 'permission_error' },
  sign_in_throttled: { status: 429, type: 'rate_limit_error' },
  invitation_invalid: { status: 404, type: 'not_found_error' },
  invitation_used: { status: 409, type: 'invalid_request_error' },
  invitation_expired: { status: 409, type: 'invalid_request_error' },
  already_member: { status: 409, type: 'invalid_request_error' },
  email_taken: { status: 409, type: 'invalid_request_error' },
  last_owner: { status: 409, type: 'invalid_request_error' },
  // 5xx: our fault, never the caller's input
  internal_error: { status: 500, type: 'api_error' },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** A failure caused by input from outside, reported to the caller as-is. */
export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | undefined;
  /** Extra response headers, e.g. Retry-After or WWW-Authenticate. */
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, options: { param?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'TesseraError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.type = ERROR_CATALOGUE[code].type;
    this.param = options.param;
    this.headers = options.headers;
  }
}

export function isTesseraError(error: unknown): error is TesseraError {
  return error instanceof TesseraError;
}

export function notFound(what: string, id: string, param?: string): TesseraError {
  return new TesseraError('resource_not_found', `No ${what} with id ${JSON.stringify(id)} exists in this environment.`, param === undefined ? {} : { param });
}
