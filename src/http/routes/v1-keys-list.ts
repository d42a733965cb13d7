import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { keyView } from '../../views/key-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, listOf, PROTECTED_ERRORS } from '../schemas/common.js';
import { KeyView } from '../schemas/key.js';

export function registerListKeys(app: App, deps: RouteDeps): void {
  const op = getOperation('keys.read');
  app.get('/v1/accounts/:accountId/keys', {
    config: { operation: op.name },
    schema: {
      summary: "List an account's keys in your environment",
      description: 'Never returns a secret. Deleted keys are left out unless includeDeleted=true.',
      tags: ['Keys'],
      params: Type.Object({ accountId: AccountIdParam }),
      querystring: Type.Object({ includeDeleted: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false }),
      response: { 200: listOf(KeyView), ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const keys = await deps.keys.list(account, managementContext(request), { includeDeleted: request.query.includeDeleted ?? false });
      const now = deps.now();
      return { object: 'list' as const, data: keys.map((k) => keyView(k, now)) };
    },
  });
}
