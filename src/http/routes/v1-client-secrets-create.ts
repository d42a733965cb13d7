import { Type } from 'typebox';
import { CLIENT_SECRET_DEFAULT_TTL_SECONDS, CLIENT_SECRET_MAX_TTL_SECONDS } from '../../domain/client-secret.js';
import { getOperation } from '../../domain/operations.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { PROTECTED_ERRORS, StringEnum, Timestamp } from '../schemas/common.js';

const CreateClientSecretBody = Type.Object(
  {
    objectType: StringEnum(['checkout_session', 'payment_request'] as const, { description: 'What the customer is paying.' }),
    objectId: Type.String({ minLength: 1, maxLength: 64, description: 'Its id (cs_… or pr_…): open, in your account and environment.' }),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: CLIENT_SECRET_MAX_TTL_SECONDS, default: CLIENT_SECRET_DEFAULT_TTL_SECONDS })),
  },
  { additionalProperties: false },
);

const ClientSecretView = Type.Object({
  id: Type.String(),
  object: Type.Literal('client_secret'),
  clientSecret: Type.String({ description: 'Shown this once: hand it to the customer’s browser or app.' }),
  objectType: Type.String(),
  objectId: Type.String(),
  environment: Type.String(),
  expiresAt: Timestamp,
});

export function registerCreateClientSecret(app: App, deps: RouteDeps): void {
  const op = getOperation('client_secrets.create');
  app.post('/v1/client-secrets', {
    config: { operation: op.name },
    schema: {
      summary: 'Mint a client secret for one checkout session or payment request',
      description:
        "Ansa's client secret ({brand}_cs_{env}_…): short-lived (15 minutes by default, at most 60), good only for that object's customer-facing operations (card tokens, reading it), dead once the object completes or the minting key is disabled or deleted.",
      tags: ['Client secrets'],
      body: CreateClientSecretBody,
      response: { 201: ClientSecretView, ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const body = request.body;
      const minted = await deps.clientSecrets.mint(principalOf(request), { type: body.objectType, id: body.objectId }, body.ttlSeconds);
      const c = minted.clientSecret;
      return reply.code(201).send({
        id: c.id,
        object: 'client_secret' as const,
        clientSecret: minted.secret,
        objectType: c.object.type,
        objectId: c.object.id,
        environment: c.environment,
        expiresAt: new Date(c.expiresAt).toISOString(),
      });
    },
  });
}
