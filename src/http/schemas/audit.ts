import { Type } from 'typebox';
import { Nullable, Timestamp } from './common.js';

export const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100, description: 'e.g. key.created, key.disabled' })),
    actorId: Type.Optional(Type.String({ maxLength: 100 })),
    keyId: Type.Optional(Type.String({ maxLength: 64, description: 'Events made with this key or about it.' })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    before: Type.Optional(Type.String({ maxLength: 200, description: 'Cursor from nextCursor of the previous page.' })),
  },
  { additionalProperties: false },
);

export const AuditEventView = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('audit_event'),
    accountId: Type.String(),
    environment: Type.String(),
    action: Type.String(),
    actor: Type.Object({ type: Type.String(), id: Type.String() }),
    credentialId: Nullable(Type.String()),
    target: Type.Object({ type: Type.String(), id: Type.String() }),
    ip: Nullable(Type.String()),
    requestId: Nullable(Type.String()),
    details: Type.Record(Type.String(), Type.Unknown()),
    createdAt: Timestamp,
  },
  { description: 'One append-only audit log entry.' },
);

export const AuditPage = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(AuditEventView),
  nextCursor: Nullable(Type.String({ description: 'Pass as `before` for the next (older) page.' })),
});
