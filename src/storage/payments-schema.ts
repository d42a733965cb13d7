/**
 * Tables of the reference payments API (migration 005-payments). Same rules
 * as schema.ts: times are epoch ms (bigint), amounts integer minor units
 * (bigint), JSON as text, identical shapes on SQLite and PostgreSQL. Every
 * row carries its account and environment, and every query filters on both.
 */
export interface CheckoutSessionsTable {
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  amount: number;
  currency: string;
  description: string | null;
  success_url: string | null;
  cancel_url: string | null;
  error_url: string | null;
  /** JSON object of string values. */
  metadata: string;
  status: 'pending' | 'completed' | 'expired';
  payment_request_id: string | null;
  payment_id: string | null;
  expires_at: number;
  completed_at: number | null;
  created_at: number;
}

export interface CardTokensTable {
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  /** Card number and expiry, AES-256-GCM under the master key (AAD: the token id). Cleared once used or expired. */
  card_sealed: string | null;
  brand: string;
  last4: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface PaymentsTable {
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  amount: number;
  currency: string;
  status: 'succeeded' | 'failed';
  failure_code: 'card_declined' | 'processing_error' | null;
  failure_message: string | null;
  card_brand: string;
  card_last4: string;
  token_id: string;
  processor: string;
  processor_reference: string;
  checkout_session_id: string | null;
  payment_request_id: string | null;
  created_at: number;
}

export interface PaymentRequestsTable {
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  amount: number;
  currency: string;
  description: string | null;
  metadata: string;
  method: 'card' | 'link' | 'checkout';
  status: 'pending' | 'succeeded' | 'failed' | 'partially_refunded' | 'refunded' | 'expired';
  amount_refunded: number;
  payment_id: string | null;
  checkout_session_id: string | null;
  card_brand: string | null;
  card_last4: string | null;
  failure_code: 'card_declined' | 'processing_error' | null;
  failure_message: string | null;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface RefundsTable {
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  payment_request_id: string;
  payment_id: string;
  amount: number;
  currency: string;
  reason: string | null;
  status: 'succeeded';
  processor_reference: string;
  created_at: number;
}

/** One row per account, environment and currency; `available` never goes below 0 (conditional updates). */
export interface BalancesTable {
  account_id: string;
  environment: 'sandbox' | 'live';
  currency: string;
  available: number;
  updated_at: number;
}

export interface DepositsTable {
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  amount: number;
  currency: string;
  status: 'pending' | 'approved';
  created_at: number;
  approved_at: number | null;
}

export interface CashoutsTable {
  id: string;
  account_id: string;
  environment: 'sandbox' | 'live';
  amount: number;
  currency: string;
  description: string | null;
  metadata: string;
  beneficiary_name: string;
  beneficiary_account_last4: string;
  status: 'paid' | 'failed';
  failure_code: 'payout_rejected' | null;
  failure_message: string | null;
  processor: string;
  processor_reference: string;
  created_at: number;
}

/** The publishable key Tessera keeps for its hosted checkout page, one per account and environment. */
export interface CheckoutPageKeysTable {
  account_id: string;
  environment: 'sandbox' | 'live';
  credential_id: string;
  /** The key's secret, AES-256-GCM under the master key: the page must show it, so it can't be a digest. */
  secret_sealed: string;
  created_at: number;
}

export interface PaymentTables {
  checkout_sessions: CheckoutSessionsTable;
  card_tokens: CardTokensTable;
  payments: PaymentsTable;
  payment_requests: PaymentRequestsTable;
  refunds: RefundsTable;
  balances: BalancesTable;
  deposits: DepositsTable;
  cashouts: CashoutsTable;
  checkout_page_keys: CheckoutPageKeysTable;
}
