import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';

export function registerRevokeInvitation(app: App, deps: RouteDeps): void {
  const op = getOperation('members.manage');
  app.delete('/v1/accounts/:accountId/invitations/:invitationId', {
    config: { operation: op.name },
    schema: {
      summary: 'Withdraw a pending invitation',
      description: 'Its link stops working at once.',
      tags: ['Dashboard'],
      params: Type.Object({ accountId: AccountIdParam, invitationId: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 204: Type.Null({ description: 'Withdrawn.' }), ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      await deps.members.revokeInvitation(account, request.params.invitationId, managementContext(request));
      return reply.code(204).send(null);
    },
  });
}
