import type { Account } from '../domain/account.js';
import type { Credential } from '../domain/credential.js';
import type { Environment } from '../domain/environment.js';
import { notFound } from '../domain/errors.js';
import { isEventType, subscribes } from '../domain/event-types.js';
import { newId } from '../domain/ids.js';
import type { TesseraEvent, WebhookDelivery } from '../domain/webhook.js';
import type { Store } from '../storage/store.js';
import { accountView } from '../views/account-view.js';
import { keyView } from '../views/key-view.js';
import { paginate } from './pagination.js';

export interface EventInput {
  accountId: string;
  environment: Environment;
  /** A type registered in src/domain/event-types.ts. */
  type: string;
  data: Record<string, unknown>;
}

/**
 * The outbox: stores the event and one pending delivery per enabled endpoint
 * of its account and environment that subscribes to it, in the caller's
 * transaction. Call it inside the transaction of the change the event is
 * about: the change and its notification commit together or not at all, and
 * a process dying right after the commit loses nothing (a worker sends them).
 */
export async function recordEvent(tx: Store, input: EventInput, now: number): Promise<TesseraEvent> {
  if (!isEventType(input.type)) throw new TypeError(`unknown event type ${input.type}: register it in src/domain/event-types.ts`);
  const event: TesseraEvent = { id: newId('event'), accountId: input.accountId, environment: input.environment, type: input.type, data: input.data, createdAt: now };
  await tx.events.insert(event);
  const endpoints = (await tx.webhookEndpoints.listEnabled(input.accountId, input.environment)).filter((e) => subscribes(e.eventTypes, input.type));
  const deliveries: WebhookDelivery[] = endpoints.map((endpoint) => ({
    id: newId('webhookDelivery'),
    eventId: event.id,
    eventType: event.type,
    endpointId: endpoint.id,
    accountId: event.accountId,
    environment: event.environment,
    status: 'pending',
    attemptCount: 0,
    nextAttemptAt: now,
    lastAttemptAt: null,
    lastResponseStatus: null,
    createdAt: now,
    updatedAt: now,
  }));
  await tx.webhookDeliveries.insertMany(deliveries);
  return event;
}

/**
 * The event of a key change (`key.created`, `key.disabled`, …), when it is one
 * endpoints hear about; other changes (a rename: `key.updated`) record none.
 * `credential` is the key as it is after the change.
 */
export async function recordKeyEvent(tx: Store, type: string, credential: Credential, now: number, extra: Record<string, unknown> = {}): Promise<void> {
  if (!isEventType(type) || !type.startsWith('key.')) return;
  await recordEvent(tx, { accountId: credential.accountId, environment: credential.environment, type, data: { object: keyView(credential, now), ...extra } }, now);
}

export async function recordAccountEvent(tx: Store, type: string, account: Account, environment: Environment, now: number): Promise<void> {
  await recordEvent(tx, { accountId: account.id, environment, type, data: { object: accountView(account) } }, now);
}

export interface EventPage {
  events: TesseraEvent[];
  nextCursor: string | null;
}

/** Reading events: an account's, in the caller's environment only. */
export class EventService {
  constructor(private readonly store: Store) {}

  async list(account: Account, environment: Environment, query: { type?: string | undefined; limit: number; before?: string | undefined }): Promise<EventPage> {
    const { data, nextCursor } = await paginate(query, (page) => this.store.events.list(account.id, environment, { type: query.type, ...page }));
    return { events: data, nextCursor };
  }

  async get(account: Account, environment: Environment, eventId: string): Promise<TesseraEvent> {
    const event = await this.store.events.findInScope(account.id, environment, eventId);
    if (event === undefined) throw notFound('event', eventId, 'eventId');
    return event;
  }
}
