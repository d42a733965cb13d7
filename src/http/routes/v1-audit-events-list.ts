import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { auditEventView } from '../../views/audit-view.js';
import { principalOf } from '../authentication.js';
import type { App, RouteDeps } from '../route-deps.js';
import { AuditPage, AuditQuery } from '../schemas/audit.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';

export function registerListAuditEvents(app: App, deps: RouteDeps): void {
  const op = getOperation('audit_events.read');
  app.get('/v1/accounts/:accountId/audit-events', {
    config: { operation: op.name },
    schema: {
      summary: 'Read the audit log',
      description: 'Who did what, when, from where, with which credential; newest first. Append-only.',
      tags: ['Audit'],
      params: Type.Object({ accountId: AccountIdParam }),
      querystring: AuditQuery,
      response: { 200: AuditPage, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const principal = principalOf(request);
      const account = await deps.accounts.resolveFor(principal, request.params.accountId, op);
      const q = request.query;
      const page = await deps.auditLog.list(account, principal.environment, {
        action: q.action,
        actorId: q.actorId,
        keyId: q.keyId,
        from: q.from === undefined ? undefined : Date.parse(q.from),
        to: q.to === undefined ? undefined : Date.parse(q.to),
        limit: q.limit ?? 50,
        before: q.before,
      });
      return { object: 'list' as const, data: page.events.map(auditEventView), nextCursor: page.nextCursor };
    },
  });
}
