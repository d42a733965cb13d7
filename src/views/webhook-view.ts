import type { Static } from 'typebox';
import type { AttemptView as AttemptViewSchema, DeliveryView as DeliveryViewSchema, EndpointView as EndpointViewSchema, EventView as EventViewSchema } from '../http/schemas/webhook.js';
import type { Environment } from '../domain/environment.js';
import type { TesseraEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../domain/webhook.js';
import { isoOrNull } from './time.js';

export type EndpointView = Static<typeof EndpointViewSchema>;
export type EventView = Static<typeof EventViewSchema>;
export type DeliveryView = Static<typeof DeliveryViewSchema>;
export type AttemptView = Static<typeof AttemptViewSchema>;

/** A webhook endpoint as every list and get shows it: never its secret. */
export function endpointView(endpoint: WebhookEndpoint): EndpointView {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint',
    accountId: endpoint.accountId,
    environment: endpoint.environment,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    enabled: endpoint.enabled,
    status: endpoint.enabled ? 'enabled' : 'disabled',
    disabledReason: endpoint.disabledReason,
    previousSecretExpiresAt: isoOrNull(endpoint.previousSecretExpiresAt),
    failingSince: isoOrNull(endpoint.failingSince),
    metadata: endpoint.metadata,
    createdAt: new Date(endpoint.createdAt).toISOString(),
    updatedAt: new Date(endpoint.updatedAt).toISOString(),
  };
}

export function eventView(event: TesseraEvent): EventView {
  return {
    id: event.id,
    object: 'event',
    type: event.type,
    timestamp: new Date(event.createdAt).toISOString(),
    accountId: event.accountId,
    environment: event.environment,
    data: event.data,
  };
}

/**
 * The body of every delivery of an event: byte for byte `JSON.stringify(eventView(event))`,
 * built from the stored JSON text of its data so every attempt sends the same bytes.
 */
export function eventBody(event: { id: string; type: string; createdAt: number; accountId: string; environment: Environment; dataJson: string }): string {
  const s = JSON.stringify;
  return `{"id":${s(event.id)},"object":"event","type":${s(event.type)},"timestamp":${s(new Date(event.createdAt).toISOString())},"accountId":${s(event.accountId)},"environment":${s(event.environment)},"data":${event.dataJson}}`;
}

export function attemptView(attempt: WebhookAttempt): AttemptView {
  return {
    attempt: attempt.attempt,
    url: attempt.url,
    startedAt: new Date(attempt.startedAt).toISOString(),
    durationMs: attempt.durationMs,
    responseStatus: attempt.responseStatus,
    succeeded: attempt.succeeded,
    error: attempt.error,
  };
}

export function deliveryView(delivery: WebhookDelivery, attempts: readonly WebhookAttempt[]): DeliveryView {
  return {
    id: delivery.id,
    object: 'webhook_delivery',
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: delivery.status === 'pending' ? isoOrNull(delivery.nextAttemptAt) : null,
    lastAttemptAt: isoOrNull(delivery.lastAttemptAt),
    lastResponseStatus: delivery.lastResponseStatus,
    attempts: attempts.map(attemptView),
    createdAt: new Date(delivery.createdAt).toISOString(),
  };
}
