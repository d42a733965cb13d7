import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';

export function registerDeleteMember(app: App, deps: RouteDeps): void {
  const op = getOperation('members.manage');
  app.delete('/v1/accounts/:accountId/members/:userId', {
    config: { operation: op.name },
    schema: {
      summary: 'Remove a member from an account',
      description: 'Their next request as a member of this account is refused. The last owner stays (409 last_owner).',
      tags: ['Dashboard'],
      params: Type.Object({ accountId: AccountIdParam, userId: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 204: Type.Null({ description: 'Removed.' }), ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      await deps.members.remove(account, request.params.userId, managementContext(request));
      return reply.code(204).send(null);
    },
  });
}
