import { getOperation } from '../../domain/operations.js';
import { cashoutView } from '../../views/cashout-view.js';
import { principalOf } from '../authentication.js';
import { requireOneKeyHeaders } from '../required-headers.js';
import type { App, RouteDeps } from '../route-deps.js';
import { CashoutView } from '../schemas/cashout.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';
import { ListQuery, pageOf } from '../schemas/money.js';

export function registerListCashouts(app: App, deps: RouteDeps): void {
  const op = getOperation('cashouts.read');
  app.get('/v1/cashouts', {
    config: { operation: op.name },
    preParsing: requireOneKeyHeaders,
    schema: {
      summary: 'List cashouts, newest first',
      tags: ['Cashouts'],
      querystring: ListQuery,
      response: { 200: pageOf(CashoutView), ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const page = await deps.payments.cashouts.list(principalOf(request), { limit: request.query.limit ?? 20, before: request.query.before });
      return { object: 'list' as const, data: page.data.map(cashoutView), nextCursor: page.nextCursor };
    },
  });
}
