import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { endpointView } from '../../views/webhook-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { EndpointIdParam, EndpointView } from '../schemas/webhook.js';

export function registerGetWebhookEndpoint(app: App, deps: RouteDeps): void {
  const op = getOperation('webhook_endpoints.read');
  app.get('/v1/accounts/:accountId/webhook-endpoints/:endpointId', {
    config: { operation: op.name },
    schema: {
      summary: 'Get one webhook endpoint',
      tags: ['Webhooks'],
      params: Type.Object({ accountId: AccountIdParam, endpointId: EndpointIdParam }),
      response: { 200: EndpointView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      return endpointView(await deps.webhooks.get(account, request.params.endpointId, managementContext(request)));
    },
  });
}
