import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { endpointView } from '../../views/webhook-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { CreatedEndpointView, CreateEndpointBody } from '../schemas/webhook.js';

export function registerCreateWebhookEndpoint(app: App, deps: RouteDeps): void {
  const op = getOperation('webhook_endpoints.manage');
  app.post('/v1/accounts/:accountId/webhook-endpoints', {
    config: { operation: op.name },
    schema: {
      summary: 'Create a webhook endpoint',
      description:
        "Events of the account in your environment are POSTed to `url`, signed per Standard Webhooks. Answers with the signing secret (whsec_…), once. Live endpoints need HTTPS to a public address; the host is resolved and checked now and before every delivery.",
      tags: ['Webhooks'],
      params: Type.Object({ accountId: AccountIdParam }),
      body: CreateEndpointBody,
      response: { 201: CreatedEndpointView, ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const created = await deps.webhooks.create(account, request.body, managementContext(request));
      return reply.code(201).send({ ...endpointView(created.endpoint), secret: created.secret });
    },
  });
}
