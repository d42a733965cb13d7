import type { AuditEvent } from '../domain/audit-event.js';
import type { Environment } from '../domain/environment.js';
import { newId } from '../domain/ids.js';
import type { ManagementContext } from './management-context.js';

export interface AuditSubject {
  accountId: string;
  environment: Environment;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
}

/** One audit event for a management change made in `ctx`. */
export function auditEvent(ctx: ManagementContext, subject: AuditSubject, now: number): AuditEvent {
  return {
    id: newId('auditEvent'),
    ...subject,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    credentialId: ctx.actor.credentialId,
    ip: ctx.actor.ip,
    requestId: ctx.actor.requestId,
    createdAt: now,
  };
}
