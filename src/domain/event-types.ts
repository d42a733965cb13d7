/**
 * Every event type Tessera notifies about: the registry webhook endpoints
 * subscribe from (`GET /v1/event-types`). To add one: a row here, a
 * `recordEvent(tx, …)` call inside the transaction of the change that causes
 * it, and a line in docs/webhooks.md.
 *
 * `emitted: false` marks types reserved for features still to land (the
 * reference payments API): endpoints may subscribe to them already, and the
 * name will not change when they start to be emitted.
 */
export interface EventType {
  name: string;
  description: string;
  emitted: boolean;
}

const EVENT_TYPE_LIST: EventType[] = [
  { name: 'key.created', emitted: true, description: 'An API key or client credential was created. `data.object` is the key, never its secret.' },
  { name: 'key.enabled', emitted: true, description: 'A disabled key was enabled again.' },
  { name: 'key.disabled', emitted: true, description: 'A key was disabled: it is refused on every node.' },
  { name: 'key.rolled', emitted: true, description: "A key's secret was replaced; `data.previousSecretExpiresAt` is when the old secret stops working." },
  { name: 'key.deleted', emitted: true, description: 'A key was deleted.' },
  { name: 'key.exposed', emitted: true, description: 'A key was seen where it must not travel (e.g. plain HTTP) and Tessera disabled it; `data.reason` says where.' },
  { name: 'key.expiring_soon', emitted: true, description: 'A key reaches its `expiresAt` within the lead time (TESSERA_KEY_EXPIRY_NOTICE_HOURS). Sent once per key.' },
  { name: 'key.expired', emitted: true, description: 'A key passed its `expiresAt` and is refused from now on. Sent once per key.' },
  { name: 'account.live_opened', emitted: true, description: "The operator opened the account's live environment (go-live). Sent to live endpoints." },
  { name: 'webhook_endpoint.disabled', emitted: true, description: 'Tessera disabled one of the account\'s webhook endpoints: it answered 410 Gone, or every delivery failed for TESSERA_WEBHOOK_DISABLE_AFTER_HOURS. Sent to the account\'s other endpoints.' },
  { name: 'checkout.session.completed', emitted: true, description: 'A checkout session was paid (reference payments API).' },
  { name: 'checkout.session.expired', emitted: true, description: 'A checkout session expired unpaid (reference payments API).' },
  { name: 'payment.succeeded', emitted: true, description: 'A payment request succeeded (reference payments API).' },
  { name: 'payment.failed', emitted: true, description: 'A payment request failed (reference payments API).' },
  { name: 'payment.refunded', emitted: true, description: 'A payment was refunded, in full or in part (reference payments API).' },
  { name: 'cashout.paid', emitted: true, description: 'A cashout was paid out (reference payments API).' },
  { name: 'cashout.failed', emitted: true, description: 'A cashout failed (reference payments API).' },
];

export const EVENT_TYPES: ReadonlyMap<string, EventType> = new Map(EVENT_TYPE_LIST.map((t) => [t.name, t]));

export function listEventTypes(): readonly EventType[] {
  return EVENT_TYPE_LIST;
}

export function isEventType(name: string): boolean {
  return EVENT_TYPES.has(name);
}

/**
 * What an endpoint subscribes to: `*` (everything), an exact type, or a
 * prefix wildcard such as `key.*` or `checkout.*`. Answers the entries that
 * name nothing in the registry.
 */
export function unknownSubscriptions(entries: readonly string[]): string[] {
  return entries.filter((entry) => {
    if (entry === '*') return false;
    if (entry.endsWith('.*')) {
      const prefix = entry.slice(0, -1);
      return !EVENT_TYPE_LIST.some((t) => t.name.startsWith(prefix));
    }
    return !EVENT_TYPES.has(entry);
  });
}

export function subscribes(entries: readonly string[], type: string): boolean {
  for (const entry of entries) {
    if (entry === '*' || entry === type) return true;
    if (entry.endsWith('.*') && type.startsWith(entry.slice(0, -1))) return true;
  }
  return false;
}
