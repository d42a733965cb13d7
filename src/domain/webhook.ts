import type { Environment } from './environment.js';

export type EndpointDisabledReason = 'manual' | 'gone' | 'failing';

/** A merchant's URL that receives signed events. Its secrets are stored sealed, never here. */
export interface WebhookEndpoint {
  id: string;
  accountId: string;
  environment: Environment;
  url: string;
  description: string;
  /** `*`, exact event types, or prefix wildcards like `key.*`. */
  eventTypes: string[];
  enabled: boolean;
  /** Why it is disabled: by a caller, a 410 answer, or failing too long. Null while enabled. */
  disabledReason: EndpointDisabledReason | null;
  /** Until then the previous secret signs too (rotation overlap); null when there is none. */
  previousSecretExpiresAt: number | null;
  /** First failure since the last success; null while healthy. */
  failingSince: number | null;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

/** A stored event: what happened, in one account and environment. */
export interface TesseraEvent {
  id: string;
  accountId: string;
  environment: Environment;
  type: string;
  data: Record<string, unknown>;
  createdAt: number;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event on its way to one endpoint (the outbox row). */
export interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  accountId: string;
  environment: Environment;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  lastResponseStatus: number | null;
  createdAt: number;
  updatedAt: number;
}

/** One HTTP attempt of a delivery, as recorded. */
export interface WebhookAttempt {
  deliveryId: string;
  attempt: number;
  endpointId: string;
  url: string;
  startedAt: number;
  durationMs: number;
  /** The HTTP status answered; null when none came (timeout, refused connection, address not allowed). */
  responseStatus: number | null;
  succeeded: boolean;
  /** Why it failed, without the response body (which is never stored: it could leak what the URL reaches). */
  error: string | null;
}

/**
 * Delays before each retry, after the first attempt made at once: Standard
 * Webhooks' recommended schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h;
 * 8 attempts over about 27.6 hours).
 */
export const RETRY_DELAYS_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** Each delay is spread by up to ±10% so a burst of failures does not retry in lockstep. */
export const RETRY_JITTER = 0.1;

/**
 * When to try again after failed attempt number `attempt` (1-based), or null
 * when that was the last. `random` is in [0, 1).
 */
export function nextRetryAt(attempt: number, failedAt: number, random: number): number | null {
  const delay = RETRY_DELAYS_MS[attempt - 1];
  if (delay === undefined) return null;
  return failedAt + Math.round(delay * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random));
}
