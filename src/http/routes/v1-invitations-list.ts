import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { invitationView } from '../../views/dashboard-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { AccountIdParam, listOf, PROTECTED_ERRORS } from '../schemas/common.js';
import { InvitationView } from '../schemas/dashboard.js';

export function registerListInvitations(app: App, deps: RouteDeps): void {
  const op = getOperation('members.read');
  app.get('/v1/accounts/:accountId/invitations', {
    config: { operation: op.name },
    schema: {
      summary: 'Pending invitations of an account',
      description: 'Not accepted and not expired yet, newest first. Never the link.',
      tags: ['Dashboard'],
      params: Type.Object({ accountId: AccountIdParam }),
      response: { 200: listOf(InvitationView), ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      return { object: 'list' as const, data: (await deps.members.listInvitations(account)).map(invitationView) };
    },
  });
}
