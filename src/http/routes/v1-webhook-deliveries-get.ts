import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { deliveryView } from '../../views/webhook-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { DeliveryIdParam, DeliveryView, EndpointIdParam } from '../schemas/webhook.js';

export function registerGetWebhookDelivery(app: App, deps: RouteDeps): void {
  const op = getOperation('webhook_endpoints.read');
  app.get('/v1/accounts/:accountId/webhook-endpoints/:endpointId/deliveries/:deliveryId', {
    config: { operation: op.name },
    schema: {
      summary: 'Get one delivery with every attempt',
      tags: ['Webhooks'],
      params: Type.Object({ accountId: AccountIdParam, endpointId: EndpointIdParam, deliveryId: DeliveryIdParam }),
      response: { 200: DeliveryView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const found = await deps.webhooks.getDelivery(account, request.params.endpointId, request.params.deliveryId, managementContext(request));
      return deliveryView(found.delivery, found.attempts);
    },
  });
}
