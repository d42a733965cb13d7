import type { App, RouteDeps } from '../route-deps.js';
import { InvitationLookupBody, InvitationLookupView, SESSION_ERRORS } from '../schemas/dashboard.js';

export function registerLookupInvitation(app: App, deps: RouteDeps): void {
  app.post('/v1/invitations/lookup', {
    schema: {
      summary: 'What an invitation link is for',
      description: 'No credential: the token is the capability (sent in the body, never in a URL). Tells the accept page which account and role, and whether to ask for an email or an existing password.',
      tags: ['Dashboard'],
      body: InvitationLookupBody,
      response: { 200: InvitationLookupView, ...SESSION_ERRORS },
    },
    handler: async (request, reply) => {
      const { invitation, account, existingUser } = await deps.members.lookup(request.body.token);
      reply.header('cache-control', 'no-store');
      return {
        object: 'invitation_lookup' as const,
        email: invitation.email,
        role: invitation.role,
        account: { id: account.id, name: account.name, type: account.type },
        existingUser,
        expiresAt: new Date(invitation.expiresAt).toISOString(),
      };
    },
  });
}
