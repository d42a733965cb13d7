import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { deliveryView } from '../../views/webhook-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { DeliveryIdParam, DeliveryView, EndpointIdParam } from '../schemas/webhook.js';

export function registerRedeliverWebhook(app: App, deps: RouteDeps): void {
  const op = getOperation('webhook_endpoints.manage');
  app.post('/v1/accounts/:accountId/webhook-endpoints/:endpointId/deliveries/:deliveryId/redeliver', {
    config: { operation: op.name },
    schema: {
      summary: 'Send a delivery again, now',
      description: 'Same event, same body, same webhook-id (receivers dedupe by it). Works on succeeded and failed deliveries alike; the endpoint must be enabled.',
      tags: ['Webhooks'],
      params: Type.Object({ accountId: AccountIdParam, endpointId: EndpointIdParam, deliveryId: DeliveryIdParam }),
      response: { 202: DeliveryView, ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const found = await deps.webhooks.redeliver(account, request.params.endpointId, request.params.deliveryId, managementContext(request));
      return reply.code(202).send(deliveryView(found.delivery, found.attempts));
    },
  });
}
