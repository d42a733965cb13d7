import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { accountView } from '../../views/account-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { AccountView } from '../schemas/account.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';

export function registerGetAccount(app: App, deps: RouteDeps): void {
  const op = getOperation('accounts.read');
  app.get('/v1/accounts/:accountId', {
    config: { operation: op.name },
    schema: {
      summary: 'Get one account',
      tags: ['Accounts'],
      params: Type.Object({ accountId: AccountIdParam }),
      response: { 200: AccountView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => accountView(await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op)),
  });
}
