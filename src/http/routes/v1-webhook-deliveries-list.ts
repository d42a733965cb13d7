import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { deliveryView } from '../../views/webhook-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { DeliveryPage, DeliveryQuery, EndpointIdParam } from '../schemas/webhook.js';

export function registerListWebhookDeliveries(app: App, deps: RouteDeps): void {
  const op = getOperation('webhook_endpoints.read');
  app.get('/v1/accounts/:accountId/webhook-endpoints/:endpointId/deliveries', {
    config: { operation: op.name },
    schema: {
      summary: "List a webhook endpoint's deliveries",
      description: 'Newest first, each with every attempt: time, duration, response status, error.',
      tags: ['Webhooks'],
      params: Type.Object({ accountId: AccountIdParam, endpointId: EndpointIdParam }),
      querystring: DeliveryQuery,
      response: { 200: DeliveryPage, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const q = request.query;
      const result = await deps.webhooks.listDeliveries(account, request.params.endpointId, { status: q.status, eventId: q.eventId, limit: q.limit ?? 20, before: q.before }, managementContext(request));
      return { object: 'list' as const, data: result.deliveries.map((d) => deliveryView(d.delivery, d.attempts)), nextCursor: result.nextCursor };
    },
  });
}
