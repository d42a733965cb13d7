import type { Kysely, Selectable } from 'kysely';
import type { AuditEvent, AuditFilter } from '../domain/audit-event.js';
import type { Environment } from '../domain/environment.js';
import type { AuditEventsTable, Database } from './schema.js';
import { newestFirst } from './page-query.js';

function toEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: row.id,
    accountId: row.account_id,
    environment: row.environment,
    action: row.action,
    actorType: row.actor_type,
    actorId: row.actor_id,
    credentialId: row.credential_id,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    requestId: row.request_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

/** Append-only: there is no update or delete here, and the database refuses them too. */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async append(event: AuditEvent): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        id: event.id,
        account_id: event.accountId,
        environment: event.environment,
        action: event.action,
        actor_type: event.actorType,
        actor_id: event.actorId,
        credential_id: event.credentialId,
        target_type: event.targetType,
        target_id: event.targetId,
        ip: event.ip,
        request_id: event.requestId,
        details: JSON.stringify(event.details),
        created_at: event.createdAt,
      })
      .execute();
  }

  async list(accountId: string, environment: Environment, filter: AuditFilter): Promise<AuditEvent[]> {
    let query = this.db.selectFrom('audit_events').selectAll().where('account_id', '=', accountId).where('environment', '=', environment);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
    if (filter.keyId !== undefined) {
      const keyId = filter.keyId;
      query = query.where((eb) => eb.or([eb('credential_id', '=', keyId), eb('target_id', '=', keyId)]));
    }
    if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
    const rows = await newestFirst(query, filter).execute();
    return rows.map(toEvent);
  }

  async findById(accountId: string, environment: Environment, id: string): Promise<AuditEvent | undefined> {
    const row = await this.db
      .selectFrom('audit_events')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .where('environment', '=', environment)
      .executeTakeFirst();
    return row === undefined ? undefined : toEvent(row);
  }
}
