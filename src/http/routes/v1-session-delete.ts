import { Type } from 'typebox';
import { clearedSessionCookie, sessionOf } from '../session-authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { SESSION_ERRORS } from '../schemas/dashboard.js';

export function registerDeleteSession(app: App, deps: RouteDeps): void {
  app.delete('/v1/session', {
    config: { session: true },
    schema: {
      summary: 'Sign out',
      description: 'Ends this session on every node at once and clears the cookie.',
      tags: ['Dashboard'],
      response: { 204: Type.Null({ description: 'Signed out.' }), ...SESSION_ERRORS },
    },
    handler: async (request, reply) => {
      const { session, user } = sessionOf(request);
      await deps.sessions.revoke(user.id, session.id);
      return reply.code(204).header('set-cookie', clearedSessionCookie(request)).send(null);
    },
  });
}
