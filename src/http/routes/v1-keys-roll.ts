import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { issuedSecretFields, keyView } from '../../views/key-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, KeyIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { RollKeyBody, RolledKeyView } from '../schemas/key.js';

export function registerRollKey(app: App, deps: RouteDeps): void {
  const op = getOperation('keys.roll');
  app.post('/v1/accounts/:accountId/keys/:keyId/roll', {
    config: { operation: op.name },
    schema: {
      summary: "Roll a key's secret",
      description: 'Issues a new secret (shown once). The old one keeps working for gracePeriodSeconds (0 to 7 days), then dies.',
      tags: ['Keys'],
      params: Type.Object({ accountId: AccountIdParam, keyId: KeyIdParam }),
      body: Type.Optional(RollKeyBody),
      response: { 200: RolledKeyView, ...PROTECTED_ERRORS },
    },
    // The body is optional (`POST …/roll` alone rolls with no grace period), but
    // Fastify validates a missing body as `undefined` against the object schema.
    preValidation: async (request) => {
      if (request.body === undefined || request.body === null) request.body = {};
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const rolled = await deps.keys.roll(account, request.params.keyId, request.body?.gracePeriodSeconds ?? 0, managementContext(request));
      return { ...keyView(rolled.credential, deps.now()), ...issuedSecretFields(rolled.credential, rolled.secret), previousSecretExpiresAt: new Date(rolled.previousSecretExpiresAt).toISOString() };
    },
  });
}
