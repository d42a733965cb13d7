import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { invitationView } from '../../views/dashboard-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { InviteBody, IssuedInvitationView } from '../schemas/dashboard.js';

export function registerCreateInvitation(app: App, deps: RouteDeps): void {
  const op = getOperation('members.manage');
  app.post('/v1/accounts/:accountId/invitations', {
    config: { operation: op.name },
    schema: {
      summary: 'Invite someone to the dashboard of an account',
      description: 'An owner (dashboard) or the operator (secret key) invites an email with a role. Answers a one-time link, shown once; only a digest of its token is stored.',
      tags: ['Dashboard'],
      params: Type.Object({ accountId: AccountIdParam }),
      body: InviteBody,
      response: { 201: IssuedInvitationView, ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const issued = await deps.members.invite(account, { email: request.body.email, role: request.body.role }, managementContext(request));
      return reply.code(201).send({ ...invitationView(issued.invitation), url: issued.url });
    },
  });
}
