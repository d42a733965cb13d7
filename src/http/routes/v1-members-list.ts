import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { memberView } from '../../views/dashboard-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { AccountIdParam, listOf, PROTECTED_ERRORS } from '../schemas/common.js';
import { MemberView } from '../schemas/dashboard.js';

export function registerListMembers(app: App, deps: RouteDeps): void {
  const op = getOperation('members.read');
  app.get('/v1/accounts/:accountId/members', {
    config: { operation: op.name },
    schema: {
      summary: "An account's dashboard users and their roles",
      tags: ['Dashboard'],
      params: Type.Object({ accountId: AccountIdParam }),
      response: { 200: listOf(MemberView), ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      return { object: 'list' as const, data: (await deps.members.listMembers(account)).map((m) => memberView(m.user, m.membership)) };
    },
  });
}
