import { getOperation } from '../../domain/operations.js';
import { cashoutView } from '../../views/cashout-view.js';
import { principalOf } from '../authentication.js';
import { requireOneKeyHeaders } from '../required-headers.js';
import type { App, RouteDeps } from '../route-deps.js';
import { CashoutView, CreateCashoutBody } from '../schemas/cashout.js';
import { ErrorResponse, PROTECTED_ERRORS } from '../schemas/common.js';

export function registerCreateCashout(app: App, deps: RouteDeps): void {
  const op = getOperation('cashouts.create');
  app.post('/v1/cashouts', {
    config: { operation: op.name, requireSignedRequests: true },
    preParsing: requireOneKeyHeaders,
    schema: {
      summary: 'Pay out from the balance (signed requests only)',
      description:
        "OneKey's cashouts: the key must sign its requests (403 signing_required otherwise), and every call carries Content-Type: application/json and a User-Agent (400 missing_header names the one missing). The amount is taken from the balance in one conditional update: 402 insufficient_funds when it is short, never a negative balance. A payout the bank rejects answers status failed and gives the money back.",
      tags: ['Cashouts'],
      body: CreateCashoutBody,
      response: { 201: CashoutView, ...PROTECTED_ERRORS, 402: ErrorResponse },
    },
    handler: async (request, reply) => {
      const cashout = await deps.payments.cashouts.create(principalOf(request), request.body);
      return reply.code(201).send(cashoutView(cashout));
    },
  });
}
