import type { Account } from '../domain/account.js';
import type { AuditEvent } from '../domain/audit-event.js';
import type { Environment } from '../domain/environment.js';
import { TesseraError } from '../domain/errors.js';
import type { Store } from '../storage/store.js';

export interface AuditQuery {
  action?: string | undefined;
  actorId?: string | undefined;
  keyId?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
  before?: string | undefined;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

function encodeCursor(event: AuditEvent): string {
  return Buffer.from(`${event.createdAt}:${event.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const createdAt = Number(text.slice(0, colon));
  if (colon === -1 || !Number.isSafeInteger(createdAt)) {
    throw new TesseraError('invalid_field', '`before` is not a cursor this API returned: pass nextCursor from the previous page unchanged.', { param: 'before' });
  }
  return { createdAt, id: text.slice(colon + 1) };
}

export class AuditLogService {
  constructor(private readonly store: Store) {}

  async list(account: Account, environment: Environment, query: AuditQuery): Promise<AuditPage> {
    const events = await this.store.audit.list(account.id, environment, {
      action: query.action,
      actorId: query.actorId,
      keyId: query.keyId,
      from: query.from,
      to: query.to,
      before: query.before === undefined ? undefined : decodeCursor(query.before),
      limit: query.limit + 1,
    });
    const page = events.slice(0, query.limit);
    return { events: page, nextCursor: events.length > query.limit ? encodeCursor(page[page.length - 1]!) : null };
  }
}
