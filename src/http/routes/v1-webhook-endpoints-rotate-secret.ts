import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { endpointView } from '../../views/webhook-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { DEFAULT_OVERLAP_SECONDS, EndpointIdParam, RotatedEndpointView, RotateSecretBody } from '../schemas/webhook.js';

export function registerRotateWebhookSecret(app: App, deps: RouteDeps): void {
  const op = getOperation('webhook_endpoints.manage');
  app.post('/v1/accounts/:accountId/webhook-endpoints/:endpointId/rotate-secret', {
    config: { operation: op.name },
    schema: {
      summary: "Rotate a webhook endpoint's signing secret",
      description: 'Answers with the new secret, once. For overlapSeconds (default 1 day) every delivery carries two signatures, one per secret, so receivers can switch without missing a delivery.',
      tags: ['Webhooks'],
      params: Type.Object({ accountId: AccountIdParam, endpointId: EndpointIdParam }),
      body: Type.Optional(RotateSecretBody),
      response: { 200: RotatedEndpointView, ...PROTECTED_ERRORS },
    },
    // The body is optional; Fastify validates a missing body as `undefined` against the object schema.
    preValidation: async (request) => {
      if (request.body === undefined || request.body === null) request.body = {};
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const rotated = await deps.webhooks.rotateSecret(account, request.params.endpointId, request.body?.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS, managementContext(request));
      return { ...endpointView(rotated.endpoint), secret: rotated.secret };
    },
  });
}
