import { listEventTypes } from '../../domain/event-types.js';
import type { App } from '../route-deps.js';
import { listOf, PROTECTED_ERRORS } from '../schemas/common.js';
import { EventTypeView } from '../schemas/webhook.js';

export function registerListEventTypes(app: App): void {
  app.get('/v1/event-types', {
    config: { operation: 'event_types.list' },
    schema: {
      summary: 'List every event type',
      description: 'What a webhook endpoint can subscribe to (`eventTypes`), besides `*` and prefix wildcards like `key.*`.',
      tags: ['Webhooks'],
      response: { 200: listOf(EventTypeView), ...PROTECTED_ERRORS },
    },
    handler: async () => ({ object: 'list' as const, data: listEventTypes().map((t) => ({ name: t.name, description: t.description, emitted: t.emitted })) }),
  });
}
