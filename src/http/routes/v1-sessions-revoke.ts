import { Type } from 'typebox';
import { clearedSessionCookie, sessionOf } from '../session-authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { SESSION_ERRORS } from '../schemas/dashboard.js';

export function registerRevokeSession(app: App, deps: RouteDeps): void {
  app.delete('/v1/sessions/:sessionId', {
    config: { session: true },
    schema: {
      summary: 'Sign out one of your sessions',
      description: 'Ends it on every node at the next request (a lost laptop, a shared computer).',
      tags: ['Dashboard'],
      params: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 204: Type.Null({ description: 'Revoked.' }), ...SESSION_ERRORS },
    },
    handler: async (request, reply) => {
      const { session, user } = sessionOf(request);
      await deps.sessions.revoke(user.id, request.params.sessionId);
      if (request.params.sessionId === session.id) reply.header('set-cookie', clearedSessionCookie(request));
      return reply.code(204).send(null);
    },
  });
}
