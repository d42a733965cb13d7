import { Type } from 'typebox';
import type { App, RouteDeps } from '../route-deps.js';

/** Health, readiness and metrics: no credential, nothing sensitive. */
export function registerOperationalRoutes(app: App, deps: RouteDeps): void {
  app.get('/healthz', {
    schema: { summary: 'Liveness', tags: ['Operations'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    handler: async () => ({ status: 'ok' as const }),
  });
  app.get('/readyz', {
    schema: {
      summary: 'Readiness: the database answers',
      tags: ['Operations'],
      response: { 200: Type.Object({ status: Type.String() }), 503: Type.Object({ status: Type.String() }) },
    },
    handler: async (_request, reply) => ((await deps.isReady()) ? { status: 'ready' } : reply.code(503).send({ status: 'database unavailable' })),
  });
  app.get('/metrics', {
    schema: { summary: 'Prometheus metrics', tags: ['Operations'] },
    handler: async (_request, reply) => reply.type(deps.metrics.contentType).send(await deps.metrics.render()),
  });
}
