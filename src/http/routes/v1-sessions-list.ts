import { sessionView } from '../../views/dashboard-view.js';
import type { App, RouteDeps } from '../route-deps.js';
import { listOf } from '../schemas/common.js';
import { SESSION_ERRORS, SessionView } from '../schemas/dashboard.js';
import { sessionOf } from '../session-authentication.js';

export function registerListSessions(app: App, deps: RouteDeps): void {
  app.get('/v1/sessions', {
    config: { session: true },
    schema: {
      summary: "Your active dashboard sessions",
      description: 'Every browser signed in as you, newest first; `current` marks this one.',
      tags: ['Dashboard'],
      response: { 200: listOf(SessionView), ...SESSION_ERRORS },
    },
    handler: async (request) => {
      const { session, user } = sessionOf(request);
      return { object: 'list' as const, data: (await deps.sessions.list(user.id)).map((s) => sessionView(s, session.id)) };
    },
  });
}
