import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { accountView } from '../../views/account-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountView, UpdateAccountBody } from '../schemas/account.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';

export function registerUpdateAccount(app: App, deps: RouteDeps): void {
  const op = getOperation('accounts.update');
  app.patch('/v1/accounts/:accountId', {
    config: { operation: op.name },
    schema: {
      summary: "Rename an account or set the browser origins of its publishable keys",
      tags: ['Accounts'],
      params: Type.Object({ accountId: AccountIdParam }),
      body: UpdateAccountBody,
      response: { 200: AccountView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      return accountView(await deps.accounts.update(account, request.body, managementContext(request)));
    },
  });
}
