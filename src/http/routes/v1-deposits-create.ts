import { getOperation } from '../../domain/operations.js';
import { depositView } from '../../views/cashout-view.js';
import { principalOf } from '../authentication.js';
import { requireOneKeyHeaders } from '../required-headers.js';
import type { App, RouteDeps } from '../route-deps.js';
import { CreateDepositBody, DepositView } from '../schemas/cashout.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';

export function registerCreateDeposit(app: App, deps: RouteDeps): void {
  const op = getOperation('deposits.create');
  app.post('/v1/deposits', {
    config: { operation: op.name },
    preParsing: requireOneKeyHeaders,
    schema: {
      summary: 'Create a deposit (sandbox only)',
      description: 'OneKey STG: "create and approve a deposit" to add funds. Pending until approved; live answers 403 sandbox_only.',
      tags: ['Cashouts'],
      body: CreateDepositBody,
      response: { 201: DepositView, ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const deposit = await deps.payments.cashouts.createDeposit(principalOf(request), request.body);
      return reply.code(201).send(depositView(deposit));
    },
  });
}
