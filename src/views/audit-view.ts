import type { Static } from 'typebox';
import type { AuditEventView as AuditEventViewSchema } from '../http/schemas/audit.js';
import type { AuditEvent } from '../domain/audit-event.js';

export type AuditEventView = Static<typeof AuditEventViewSchema>;

export function auditEventView(event: AuditEvent): AuditEventView {
  return {
    id: event.id,
    object: 'audit_event',
    accountId: event.accountId,
    environment: event.environment,
    action: event.action,
    actor: { type: event.actorType, id: event.actorId },
    credentialId: event.credentialId,
    target: { type: event.targetType, id: event.targetId },
    ip: event.ip,
    requestId: event.requestId,
    details: event.details,
    createdAt: new Date(event.createdAt).toISOString(),
  };
}
