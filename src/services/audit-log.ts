import type { Account } from '../domain/account.js';
import type { AuditEvent } from '../domain/audit-event.js';
import type { Environment } from '../domain/environment.js';
import type { Store } from '../storage/store.js';
import { paginate } from './pagination.js';

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

export class AuditLogService {
  constructor(private readonly store: Store) {}

  async list(account: Account, environment: Environment, query: AuditQuery): Promise<AuditPage> {
    const { data, nextCursor } = await paginate(query, (page) =>
      this.store.audit.list(account.id, environment, { action: query.action, actorId: query.actorId, keyId: query.keyId, from: query.from, to: query.to, ...page }),
    );
    return { events: data, nextCursor };
  }
}
