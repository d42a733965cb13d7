import { getOperation } from '../../domain/operations.js';
import { balanceView } from '../../views/cashout-view.js';
import { principalOf } from '../authentication.js';
import { requireOneKeyHeaders } from '../required-headers.js';
import type { App, RouteDeps } from '../route-deps.js';
import { BalanceView } from '../schemas/cashout.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';

export function registerGetBalance(app: App, deps: RouteDeps): void {
  const op = getOperation('balance.read');
  app.get('/v1/balance', {
    config: { operation: op.name },
    preParsing: requireOneKeyHeaders,
    schema: {
      summary: 'The balance per currency, in your environment',
      description: 'Funded by successful payments and, in sandbox, approved deposits; drawn by cashouts and refunds.',
      tags: ['Cashouts'],
      response: { 200: BalanceView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const principal = principalOf(request);
      return balanceView(principal.environment, await deps.payments.cashouts.balance(principal));
    },
  });
}
