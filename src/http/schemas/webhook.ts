import { Type } from 'typebox';
import { ENVIRONMENTS } from '../../domain/environment.js';
import { MAX_WEBHOOK_URL_LENGTH } from '../../domain/webhook-url.js';
import { Metadata, Nullable, StringEnum, Timestamp } from './common.js';

export const MAX_OVERLAP_SECONDS = 7 * 24 * 3600;
export const DEFAULT_OVERLAP_SECONDS = 24 * 3600;

export const EndpointIdParam = Type.String({ minLength: 1, maxLength: 64, description: 'Webhook endpoint id (we_…).' });
export const DeliveryIdParam = Type.String({ minLength: 1, maxLength: 64, description: 'Delivery id (whd_…).' });
export const EventIdParam = Type.String({ minLength: 1, maxLength: 64, description: 'Event id (evt_…).' });

const WebhookUrl = Type.String({
  minLength: 1,
  maxLength: MAX_WEBHOOK_URL_LENGTH,
  description: 'Where events are POSTed. HTTPS to a public address in live; in sandbox also http://localhost (TESSERA_WEBHOOK_SANDBOX_TARGETS).',
});
const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: 100,
  description: 'Event types to receive: `*` for all, exact types (`key.disabled`) or prefix wildcards (`key.*`). GET /v1/event-types lists them.',
});
const Description = Type.String({ maxLength: 500, description: 'Your own note, e.g. "Production order service".' });

export const CreateEndpointBody = Type.Object(
  {
    url: WebhookUrl,
    eventTypes: EventTypes,
    description: Type.Optional(Description),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);

export const UpdateEndpointBody = Type.Object(
  {
    url: Type.Optional(WebhookUrl),
    eventTypes: Type.Optional(EventTypes),
    description: Type.Optional(Description),
    enabled: Type.Optional(Type.Boolean({ description: 'false stops deliveries (pending ones wait); true resumes them, also after Tessera disabled the endpoint.' })),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);

export const RotateSecretBody = Type.Object(
  {
    overlapSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_OVERLAP_SECONDS, default: DEFAULT_OVERLAP_SECONDS, description: 'How long the old secret keeps signing beside the new one: 0 (stops now) up to 604800 (7 days). Default 86400.' }),
    ),
  },
  { additionalProperties: false },
);

export const EndpointView = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('webhook_endpoint'),
    accountId: Type.String(),
    environment: StringEnum(ENVIRONMENTS),
    url: Type.String(),
    description: Type.String(),
    eventTypes: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    status: StringEnum(['enabled', 'disabled'] as const),
    disabledReason: Nullable(StringEnum(['manual', 'gone', 'failing'] as const), {
      description: 'manual (PATCH enabled:false), gone (the endpoint answered 410), failing (every delivery failed for TESSERA_WEBHOOK_DISABLE_AFTER_HOURS).',
    }),
    previousSecretExpiresAt: Nullable(Timestamp, { description: 'During a secret rotation: until then deliveries carry a signature with the previous secret too.' }),
    failingSince: Nullable(Timestamp, { description: 'First failed delivery since the last success; null while healthy.' }),
    metadata: Type.Record(Type.String(), Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { description: 'A webhook endpoint: never its signing secret.' },
);

export const CreatedEndpointView = Type.Intersect([
  EndpointView,
  Type.Object({ secret: Type.String({ description: 'The signing secret (whsec_…), shown this once. Verify deliveries with any Standard Webhooks library.' }) }),
]);

export const RotatedEndpointView = Type.Intersect([
  EndpointView,
  Type.Object({ secret: Type.String({ description: 'The new signing secret, shown this once.' }) }),
]);

export const EventView = Type.Object(
  {
    id: Type.String({ description: 'evt_…; also the webhook-id header of every delivery of this event.' }),
    object: Type.Literal('event'),
    type: Type.String(),
    timestamp: Timestamp,
    accountId: Type.String(),
    environment: StringEnum(ENVIRONMENTS),
    data: Type.Record(Type.String(), Type.Unknown(), { description: '`object`: the thing the event is about, as the API shows it (never a secret).' }),
  },
  { description: 'Something that happened; exactly the body webhook deliveries carry.' },
);

export const EventQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 100, description: 'Only events of this type.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    before: Type.Optional(Type.String({ maxLength: 200, description: 'Cursor from nextCursor of the previous page.' })),
  },
  { additionalProperties: false },
);

export const EventPage = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(EventView),
  nextCursor: Nullable(Type.String({ description: 'Pass as `before` for the next (older) page.' })),
});

export const AttemptView = Type.Object({
  attempt: Type.Integer({ description: '1 for the first attempt.' }),
  url: Type.String(),
  startedAt: Timestamp,
  durationMs: Type.Integer(),
  responseStatus: Nullable(Type.Integer({ description: 'The HTTP status answered; null when none came.' })),
  succeeded: Type.Boolean({ description: 'Only a 2xx answer counts.' }),
  error: Nullable(Type.String({ description: 'Why it failed: timeout, connection refused, address not allowed, a non-2xx status. The response body is never stored.' })),
});

export const DeliveryView = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('webhook_delivery'),
    endpointId: Type.String(),
    eventId: Type.String(),
    eventType: Type.String(),
    status: StringEnum(['pending', 'succeeded', 'failed'] as const),
    attemptCount: Type.Integer(),
    nextAttemptAt: Nullable(Timestamp, { description: 'When the next attempt is due, while pending.' }),
    lastAttemptAt: Nullable(Timestamp),
    lastResponseStatus: Nullable(Type.Integer()),
    attempts: Type.Array(AttemptView),
    createdAt: Timestamp,
  },
  { description: 'One event on its way to one endpoint, with every attempt.' },
);

export const DeliveryQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(['pending', 'succeeded', 'failed'] as const)),
    eventId: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    before: Type.Optional(Type.String({ maxLength: 200, description: 'Cursor from nextCursor of the previous page.' })),
  },
  { additionalProperties: false },
);

export const DeliveryPage = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(DeliveryView),
  nextCursor: Nullable(Type.String({ description: 'Pass as `before` for the next (older) page.' })),
});

export const EventTypeView = Type.Object({
  name: Type.String(),
  description: Type.String(),
  emitted: Type.Boolean({ description: 'false: reserved for a feature still to come; subscribing is allowed.' }),
});
