import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { eventView } from '../../views/webhook-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { EventIdParam, EventView } from '../schemas/webhook.js';

export function registerGetEvent(app: App, deps: RouteDeps): void {
  const op = getOperation('events.read');
  app.get('/v1/accounts/:accountId/events/:eventId', {
    config: { operation: op.name },
    schema: {
      summary: 'Get one event',
      tags: ['Webhooks'],
      params: Type.Object({ accountId: AccountIdParam, eventId: EventIdParam }),
      response: { 200: EventView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const principal = principalOf(request);
      const account = await deps.accounts.resolveFor(principal, request.params.accountId, op);
      return eventView(await deps.events.get(account, principal.environment, request.params.eventId));
    },
  });
}
