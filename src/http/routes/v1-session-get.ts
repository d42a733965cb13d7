import { sessionInfoView } from '../../views/dashboard-view.js';
import type { App, RouteDeps } from '../route-deps.js';
import { SESSION_ERRORS, SessionInfoView } from '../schemas/dashboard.js';
import { sessionOf } from '../session-authentication.js';

export function registerGetSession(app: App, deps: RouteDeps): void {
  app.get('/v1/session', {
    config: { session: true },
    schema: {
      summary: 'The signed-in dashboard session',
      description: 'Who is signed in, the accounts they belong to with their role in each, and the CSRF token every change needs (X-CSRF-Token).',
      tags: ['Dashboard'],
      response: { 200: SessionInfoView, ...SESSION_ERRORS },
    },
    handler: async (request) => {
      const { session, user, token } = sessionOf(request);
      return sessionInfoView(session, user, await deps.sessions.membershipsOf(user.id), token, deps.sessions.idleEndsAt(session));
    },
  });
}
