import { Type } from 'typebox';
import { TesseraError } from '../../domain/errors.js';
import { isEventType } from '../../domain/event-types.js';
import { getOperation } from '../../domain/operations.js';
import { eventView } from '../../views/webhook-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { EventPage, EventQuery } from '../schemas/webhook.js';

export function registerListEvents(app: App, deps: RouteDeps): void {
  const op = getOperation('events.read');
  app.get('/v1/accounts/:accountId/events', {
    config: { operation: op.name },
    schema: {
      summary: "List an account's events in your environment",
      description: 'Newest first. Each is exactly the body its webhook deliveries carry.',
      tags: ['Webhooks'],
      params: Type.Object({ accountId: AccountIdParam }),
      querystring: EventQuery,
      response: { 200: EventPage, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const principal = principalOf(request);
      const account = await deps.accounts.resolveFor(principal, request.params.accountId, op);
      const q = request.query;
      if (q.type !== undefined && !isEventType(q.type)) throw new TesseraError('unknown_event_type', `No event type ${JSON.stringify(q.type)}. GET /v1/event-types lists them.`, { param: 'type' });
      const page = await deps.events.list(account, principal.environment, { type: q.type, limit: q.limit ?? 50, before: q.before });
      return { object: 'list' as const, data: page.events.map(eventView), nextCursor: page.nextCursor };
    },
  });
}
