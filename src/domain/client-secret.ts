import type { BoundObject } from './principal.js';
import type { Environment } from './environment.js';

/**
 * Ansa's client secret: minted by the merchant's server with a secret key,
 * handed to the customer's browser or app, good for minutes and for one
 * checkout session or payment request only.
 */
export interface ClientSecret {
  id: string;
  accountId: string;
  environment: Environment;
  object: BoundObject;
  /** The key that minted it: disabling or deleting that key kills the client secret. */
  mintedBy: string;
  expiresAt: number;
  createdAt: number;
}

export const CLIENT_SECRET_DEFAULT_TTL_SECONDS = 15 * 60;
export const CLIENT_SECRET_MAX_TTL_SECONDS = 60 * 60;

/** The customer-facing operations a client secret may perform, on its own object only. */
export const CUSTOMER_OPERATIONS: readonly string[] = ['card_tokens.create', 'payment_requests.read', 'checkout_sessions.read'];
