import type { Kysely, Selectable } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { TesseraEvent } from '../domain/webhook.js';
import type { Database, EventsTable } from './schema.js';
import { newestFirst } from './page-query.js';

function toEvent(row: Selectable<EventsTable>): TesseraEvent {
  return { id: row.id, accountId: row.account_id, environment: row.environment, type: row.type, data: JSON.parse(row.data) as Record<string, unknown>, createdAt: row.created_at };
}

export interface EventFilter {
  type?: string | undefined;
  /** Cursor: events strictly older than this one. */
  before?: { createdAt: number; id: string } | undefined;
  limit: number;
}

export class EventsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(event: TesseraEvent): Promise<void> {
    await this.db
      .insertInto('events')
      .values({ id: event.id, account_id: event.accountId, environment: event.environment, type: event.type, data: JSON.stringify(event.data), created_at: event.createdAt })
      .execute();
  }

  async list(accountId: string, environment: Environment, filter: EventFilter): Promise<TesseraEvent[]> {
    let query = this.db.selectFrom('events').selectAll().where('account_id', '=', accountId).where('environment', '=', environment);
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    const rows = await newestFirst(query, filter).execute();
    return rows.map(toEvent);
  }

  async findInScope(accountId: string, environment: Environment, id: string): Promise<TesseraEvent | undefined> {
    const row = await this.db.selectFrom('events').selectAll().where('id', '=', id).where('account_id', '=', accountId).where('environment', '=', environment).executeTakeFirst();
    return row === undefined ? undefined : toEvent(row);
  }

  /** Ids of events older than `createdAt` with no delivery still pending: what retention may delete. */
  async prunable(createdAt: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('events')
      .select('id')
      .where('created_at', '<', createdAt)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('webhook_deliveries as d').select('d.id').whereRef('d.event_id', '=', 'events.id').where('d.status', '=', 'pending'))))
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async deleteIds(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.db.deleteFrom('events').where('id', 'in', ids).execute();
  }
}
