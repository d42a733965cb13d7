import { sql, type Kysely, type Selectable } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { DeliveryStatus, WebhookDelivery } from '../domain/webhook.js';
import type { Database, WebhookDeliveriesTable } from './schema.js';
import { newestFirst } from './page-query.js';

function toDelivery(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    endpointId: row.endpoint_id,
    accountId: row.account_id,
    environment: row.environment,
    status: row.status,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    lastResponseStatus: row.last_response_status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Everything a worker needs to send one claimed delivery. */
export interface DeliveryJob {
  deliveryId: string;
  leaseToken: string;
  attemptCount: number;
  endpointId: string;
  accountId: string;
  environment: Environment;
  url: string;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretExpiresAt: number | null;
  eventId: string;
  eventType: string;
  eventData: string;
  eventCreatedAt: number;
}

export interface ClaimRequest {
  now: number;
  limit: number;
  /** At most this many deliveries of one endpoint in flight in the claiming worker… */
  perEndpoint: number;
  /** …counting those it has in flight already. */
  busy: readonly { endpointId: string; inFlight: number }[];
  leaseUntil: number;
  leaseToken: string;
  /** PostgreSQL: `FOR UPDATE SKIP LOCKED`, so workers on several nodes never claim one row twice. */
  skipLocked: boolean;
}

export interface DeliveryOutcome {
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: number | null;
  lastAttemptAt: number;
  lastResponseStatus: number | null;
}

export interface DeliveryFilter {
  status?: DeliveryStatus | undefined;
  eventId?: string | undefined;
  before?: { createdAt: number; id: string } | undefined;
  limit: number;
}

export class WebhookDeliveriesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertMany(deliveries: readonly WebhookDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.db
      .insertInto('webhook_deliveries')
      .values(
        deliveries.map((d) => ({
          id: d.id,
          event_id: d.eventId,
          event_type: d.eventType,
          endpoint_id: d.endpointId,
          account_id: d.accountId,
          environment: d.environment,
          status: d.status,
          attempt_count: d.attemptCount,
          next_attempt_at: d.nextAttemptAt,
          lease_until: null,
          lease_token: null,
          last_attempt_at: d.lastAttemptAt,
          last_response_status: d.lastResponseStatus,
          created_at: d.createdAt,
          updated_at: d.updatedAt,
        })),
      )
      .execute();
  }

  /** Is anything due? A cheap read, so an idle worker never takes the write lock. */
  async anyDue(now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Leases due deliveries of enabled endpoints, oldest first, leaving out
   * endpoints that have no room left in the claiming worker (so one
   * endpoint's backlog can't take every slot). Answers the ids leased. A
   * lease ends with the attempt's result, or lapses at `leaseUntil`, after
   * which the delivery is due again: a delivery sent by a worker that died
   * before recording it is sent again, with the same webhook-id.
   */
  async claim(request: ClaimRequest): Promise<string[]> {
    const { now, perEndpoint } = request;
    const room = new Map(request.busy.map((b) => [b.endpointId, perEndpoint - b.inFlight]));
    const full = [...room].filter(([, left]) => left <= 0).map(([id]) => id);
    let candidates = this.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'endpoint_id'])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .where('endpoint_id', 'in', this.db.selectFrom('webhook_endpoints').select('id').where('enabled', '=', 1));
    if (full.length > 0) candidates = candidates.where('endpoint_id', 'not in', full);
    // A bounded look at the head of the queue: enough to fill the claim across endpoints.
    candidates = candidates.orderBy('next_attempt_at').limit(2 * request.limit + perEndpoint);
    if (request.skipLocked) candidates = candidates.forUpdate().skipLocked();
    const picked: string[] = [];
    for (const row of await candidates.execute()) {
      const left = room.get(row.endpoint_id) ?? perEndpoint;
      if (left <= 0) continue;
      room.set(row.endpoint_id, left - 1);
      picked.push(row.id);
      if (picked.length >= request.limit) break;
    }
    if (picked.length === 0) return [];
    const rows = await this.db
      .updateTable('webhook_deliveries')
      .set({ lease_until: request.leaseUntil, lease_token: request.leaseToken })
      .where('id', 'in', picked)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async jobs(ids: readonly string[], leaseToken: string): Promise<DeliveryJob[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .innerJoin('events as v', 'v.id', 'd.event_id')
      .select([
        'd.id',
        'd.attempt_count',
        'd.endpoint_id',
        'd.account_id',
        'd.environment',
        'e.url',
        'e.secret_sealed',
        'e.previous_secret_sealed',
        'e.previous_secret_expires_at',
        'v.id as event_id',
        'v.type as event_type',
        'v.data as event_data',
        'v.created_at as event_created_at',
      ])
      .where('d.id', 'in', ids)
      .where('d.lease_token', '=', leaseToken)
      .orderBy('d.next_attempt_at')
      .execute();
    return rows.map((r) => ({
      deliveryId: r.id,
      leaseToken,
      attemptCount: r.attempt_count,
      endpointId: r.endpoint_id,
      accountId: r.account_id,
      environment: r.environment,
      url: r.url,
      secretSealed: r.secret_sealed,
      previousSecretSealed: r.previous_secret_sealed,
      previousSecretExpiresAt: r.previous_secret_expires_at,
      eventId: r.event_id,
      eventType: r.event_type,
      eventData: r.event_data,
      eventCreatedAt: r.event_created_at,
    }));
  }

  /**
   * Records the outcomes of a batch of attempts in one statement, each only
   * if its lease is still the worker's; answers the ids recorded.
   */
  async completeMany(outcomes: readonly (DeliveryOutcome & { id: string; leaseToken: string })[], now: number): Promise<Set<string>> {
    if (outcomes.length === 0) return new Set();
    const values = sql.join(
      outcomes.map((o) => sql`(${o.id}, ${o.leaseToken}, ${o.status}, ${o.attemptCount}, ${o.nextAttemptAt}, ${o.lastAttemptAt}, ${o.lastResponseStatus})`),
      sql`, `,
    );
    // VALUES columns are column1, column2, … on both databases; PostgreSQL needs the casts to type them.
    const result = await sql<{ id: string }>`
      update webhook_deliveries set
        status = v.status,
        attempt_count = cast(v.attempt_count as integer),
        next_attempt_at = cast(v.next_attempt_at as bigint),
        last_attempt_at = cast(v.last_attempt_at as bigint),
        last_response_status = cast(v.last_response_status as integer),
        lease_until = null,
        lease_token = null,
        updated_at = ${now}
      from (select column1 as id, column2 as token, column3 as status, column4 as attempt_count, column5 as next_attempt_at, column6 as last_attempt_at, column7 as last_response_status from (values ${values}) as t) as v
      where webhook_deliveries.id = v.id and webhook_deliveries.lease_token = v.token
      returning webhook_deliveries.id`.execute(this.db);
    return new Set(result.rows.map((r) => r.id));
  }

  /** Due again now, whatever its state: a manual redelivery (same event, same webhook-id). */
  async redeliver(id: string, now: number): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set({ status: 'pending', next_attempt_at: now, updated_at: now }).where('id', '=', id).execute();
  }

  async list(endpointId: string, filter: DeliveryFilter): Promise<WebhookDelivery[]> {
    let query = this.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.eventId !== undefined) query = query.where('event_id', '=', filter.eventId);
    return (await newestFirst(query, filter).execute()).map(toDelivery);
  }

  async findForEndpoint(endpointId: string, id: string): Promise<WebhookDelivery | undefined> {
    const row = await this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).where('endpoint_id', '=', endpointId).executeTakeFirst();
    return row === undefined ? undefined : toDelivery(row);
  }

  async deleteForEndpoint(endpointId: string): Promise<void> {
    await this.db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', endpointId).execute();
  }

  async deleteForEvents(eventIds: readonly string[]): Promise<void> {
    if (eventIds.length > 0) await this.db.deleteFrom('webhook_deliveries').where('event_id', 'in', eventIds).execute();
  }
}
