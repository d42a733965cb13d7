import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { depositView } from '../../views/cashout-view.js';
import { principalOf } from '../authentication.js';
import { requireOneKeyHeaders } from '../required-headers.js';
import type { App, RouteDeps } from '../route-deps.js';
import { DepositIdParam, DepositView } from '../schemas/cashout.js';
import { PROTECTED_ERRORS } from '../schemas/common.js';

export function registerApproveDeposit(app: App, deps: RouteDeps): void {
  const op = getOperation('deposits.approve');
  app.post('/v1/deposits/:depositId/approve', {
    config: { operation: op.name },
    preParsing: requireOneKeyHeaders,
    schema: {
      summary: 'Approve a deposit: its amount joins the balance (sandbox only)',
      tags: ['Cashouts'],
      params: Type.Object({ depositId: DepositIdParam }),
      description: 'Send `{}` as the body: the cashout family requires Content-Type: application/json on every call.',
      body: Type.Optional(Type.Object({}, { additionalProperties: false })),
      response: { 200: DepositView, ...PROTECTED_ERRORS },
    },
    preValidation: async (request) => {
      if (request.body === undefined || request.body === null) request.body = {};
    },
    handler: async (request) => depositView(await deps.payments.cashouts.approveDeposit(principalOf(request), request.params.depositId)),
  });
}
