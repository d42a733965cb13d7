import { crossSiteRefusal, sessionCookie } from '../session-authentication.js';
import { newSessionView } from '../../views/dashboard-view.js';
import type { App, RouteDeps } from '../route-deps.js';
import { SESSION_ERRORS, SessionInfoView, SignInBody } from '../schemas/dashboard.js';

export function registerCreateSession(app: App, deps: RouteDeps): void {
  app.post('/v1/session', {
    schema: {
      summary: 'Sign in to the dashboard',
      description:
        'Email and password; answers the session (user, memberships, csrfToken) and sets the httpOnly `tessera_session` cookie. Every failure says only that the email or password is wrong. Throttled per IP and per email (429 with Retry-After).',
      tags: ['Dashboard'],
      body: SignInBody,
      response: { 201: SessionInfoView, ...SESSION_ERRORS },
    },
    handler: async (request, reply) => {
      const crossSite = crossSiteRefusal(request);
      if (crossSite !== null) throw crossSite;
      const created = await deps.sessions.signIn(request.body.email, request.body.password, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
      return reply
        .code(201)
        .header('set-cookie', sessionCookie(request, created.token, Math.floor(deps.sessions.settings.sessionTtlMs / 1000)))
        .header('cache-control', 'no-store')
        .send(newSessionView(created, deps.sessions.idleEndsAt(created.session)));
    },
  });
}
