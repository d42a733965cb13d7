import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { cashoutView } from '../../views/cashout-view.js';
import { principalOf } from '../authentication.js';
import { requireOneKeyHeaders } from '../required-headers.js';
import type { App, RouteDeps } from '../route-deps.js';
import { CashoutIdParam, CashoutView } from '../schemas/cashout.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';

export function registerGetCashout(app: App, deps: RouteDeps): void {
  const op = getOperation('cashouts.read');
  app.get('/v1/cashouts/:cashoutId', {
    config: { operation: op.name },
    preParsing: requireOneKeyHeaders,
    schema: {
      summary: 'Get a cashout',
      tags: ['Cashouts'],
      params: Type.Object({ cashoutId: CashoutIdParam }),
      response: { 200: CashoutView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => cashoutView(await deps.payments.cashouts.get(principalOf(request), request.params.cashoutId)),
  });
}
