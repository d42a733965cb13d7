import { accountView } from '../../views/account-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { AccountView } from '../schemas/account.js';
import { listOf, PROTECTED_ERRORS } from '../schemas/common.js';

export function registerListAccounts(app: App, deps: RouteDeps): void {
  app.get('/v1/accounts', {
    config: { operation: 'accounts.read' },
    schema: {
      summary: 'List the accounts you can reach',
      description: 'The operator sees every account; a partner itself and its sub-merchants; a merchant itself.',
      tags: ['Accounts'],
      response: { 200: listOf(AccountView), ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const accounts = await deps.accounts.listVisibleTo(principalOf(request));
      return { object: 'list' as const, data: accounts.map(accountView) };
    },
  });
}
