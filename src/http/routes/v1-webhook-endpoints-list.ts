import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { endpointView } from '../../views/webhook-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, listOf, PROTECTED_ERRORS } from '../schemas/common.js';
import { EndpointView } from '../schemas/webhook.js';

export function registerListWebhookEndpoints(app: App, deps: RouteDeps): void {
  const op = getOperation('webhook_endpoints.read');
  app.get('/v1/accounts/:accountId/webhook-endpoints', {
    config: { operation: op.name },
    schema: {
      summary: "List an account's webhook endpoints in your environment",
      description: 'Never returns a signing secret.',
      tags: ['Webhooks'],
      params: Type.Object({ accountId: AccountIdParam }),
      response: { 200: listOf(EndpointView), ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const endpoints = await deps.webhooks.list(account, managementContext(request));
      return { object: 'list' as const, data: endpoints.map(endpointView) };
    },
  });
}
