import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { endpointView } from '../../views/webhook-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { EndpointIdParam, EndpointView, UpdateEndpointBody } from '../schemas/webhook.js';

export function registerUpdateWebhookEndpoint(app: App, deps: RouteDeps): void {
  const op = getOperation('webhook_endpoints.manage');
  app.patch('/v1/accounts/:accountId/webhook-endpoints/:endpointId', {
    config: { operation: op.name },
    schema: {
      summary: 'Change a webhook endpoint',
      description: 'URL (checked again), event types, description, metadata, `enabled`. Enabling an endpoint Tessera disabled (410, failing) resumes its held deliveries.',
      tags: ['Webhooks'],
      params: Type.Object({ accountId: AccountIdParam, endpointId: EndpointIdParam }),
      body: UpdateEndpointBody,
      response: { 200: EndpointView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      return endpointView(await deps.webhooks.update(account, request.params.endpointId, request.body, managementContext(request)));
    },
  });
}
