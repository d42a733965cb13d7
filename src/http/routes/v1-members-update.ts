import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { memberView } from '../../views/dashboard-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { MemberView, UpdateMemberBody } from '../schemas/dashboard.js';

export function registerUpdateMember(app: App, deps: RouteDeps): void {
  const op = getOperation('members.manage');
  app.patch('/v1/accounts/:accountId/members/:userId', {
    config: { operation: op.name },
    schema: {
      summary: "Change a member's role",
      description: 'In force at their next request. The last owner of an account stays an owner (409 last_owner).',
      tags: ['Dashboard'],
      params: Type.Object({ accountId: AccountIdParam, userId: Type.String({ minLength: 1, maxLength: 64 }) }),
      body: UpdateMemberBody,
      response: { 200: MemberView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const member = await deps.members.changeRole(account, request.params.userId, request.body.role, managementContext(request));
      return memberView(member.user, member.membership);
    },
  });
}
