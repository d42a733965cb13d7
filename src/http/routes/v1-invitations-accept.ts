import { newSessionView } from '../../views/dashboard-view.js';
import type { App, RouteDeps } from '../route-deps.js';
import { AcceptInvitationBody, SESSION_ERRORS, SessionInfoView } from '../schemas/dashboard.js';
import { crossSiteRefusal, sessionCookie } from '../session-authentication.js';

export function registerAcceptInvitation(app: App, deps: RouteDeps): void {
  app.post('/v1/invitations/accept', {
    schema: {
      summary: 'Accept an invitation',
      description:
        'The token from the link and a password (a new user sets it; an existing user of that email gives theirs). Creates the membership, signs in (sets the session cookie) and answers the session. A link works once, until it expires.',
      tags: ['Dashboard'],
      body: AcceptInvitationBody,
      response: { 201: SessionInfoView, ...SESSION_ERRORS },
    },
    handler: async (request, reply) => {
      const crossSite = crossSiteRefusal(request);
      if (crossSite !== null) throw crossSite;
      const created = await deps.members.accept(request.body, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
      return reply
        .code(201)
        .header('set-cookie', sessionCookie(request, created.token, Math.floor(deps.sessions.settings.sessionTtlMs / 1000)))
        .header('cache-control', 'no-store')
        .send(newSessionView(created, deps.sessions.idleEndsAt(created.session)));
    },
  });
}
