import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { accountView } from '../../views/account-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountView } from '../schemas/account.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';

export function registerOpenLive(app: App, deps: RouteDeps): void {
  const op = getOperation('accounts.open_live');
  app.post('/v1/accounts/:accountId/open-live', {
    config: { operation: op.name },
    schema: {
      summary: "Open an account's live environment (go-live)",
      description: 'Operator only. Until then, creating a live key for the account is refused.',
      tags: ['Accounts'],
      params: Type.Object({ accountId: AccountIdParam }),
      response: { 200: AccountView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      return accountView(await deps.accounts.openLive(account, managementContext(request)));
    },
  });
}
