import { accountView } from '../../views/account-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountView, CreateAccountBody } from '../schemas/account.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';

export function registerCreateAccount(app: App, deps: RouteDeps): void {
  app.post('/v1/accounts', {
    config: { operation: 'accounts.create' },
    schema: {
      summary: 'Create a partner or merchant',
      description: 'The operator creates partners and merchants; a partner creates its own sub-merchants.',
      tags: ['Accounts'],
      body: CreateAccountBody,
      response: { 201: AccountView, ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const principal = principalOf(request);
      const account = await deps.accounts.create(principal, request.body, managementContext(request));
      return reply.code(201).send(accountView(account));
    },
  });
}
