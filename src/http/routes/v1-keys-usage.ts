import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { usageView } from '../../views/dashboard-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, KeyIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { UsageView } from '../schemas/dashboard.js';

export function registerKeyUsage(app: App, deps: RouteDeps): void {
  const op = getOperation('keys.read');
  app.get('/v1/accounts/:accountId/keys/:keyId/usage', {
    config: { operation: op.name },
    schema: {
      summary: 'Requests made with a key, per hour and outcome',
      description: 'ok, 401, 403 and 429 per hour over the last `hours` (default 24, up to 168). Counted in memory and written in batches: no database write per request.',
      tags: ['Keys'],
      params: Type.Object({ accountId: AccountIdParam, keyId: KeyIdParam }),
      querystring: Type.Object({ hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 168, default: 24 })) }, { additionalProperties: false }),
      response: { 200: UsageView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const credential = await deps.keys.get(account, request.params.keyId, managementContext(request));
      const hours = request.query.hours ?? 24;
      return usageView(credential, hours, await deps.keyUsage.hourly(credential, hours));
    },
  });
}
