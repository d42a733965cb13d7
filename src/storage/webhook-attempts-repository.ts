import type { Kysely, Selectable } from 'kysely';
import type { WebhookAttempt } from '../domain/webhook.js';
import type { Database, WebhookAttemptsTable } from './schema.js';

function toAttempt(row: Selectable<WebhookAttemptsTable>): WebhookAttempt {
  return {
    deliveryId: row.delivery_id,
    attempt: row.attempt,
    endpointId: row.endpoint_id,
    url: row.url,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    responseStatus: row.response_status,
    succeeded: row.succeeded === 1,
    error: row.error,
  };
}

/** Every HTTP attempt of every delivery, as it happened. */
export class WebhookAttemptsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertMany(attempts: readonly WebhookAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    await this.db
      .insertInto('webhook_attempts')
      .values(
        attempts.map((attempt) => ({
          delivery_id: attempt.deliveryId,
          attempt: attempt.attempt,
          endpoint_id: attempt.endpointId,
          url: attempt.url,
          started_at: attempt.startedAt,
          duration_ms: attempt.durationMs,
          response_status: attempt.responseStatus,
          succeeded: attempt.succeeded ? 1 : 0,
          error: attempt.error,
        })),
      )
      .execute();
  }

  /** The attempts of these deliveries, oldest first, by delivery id. */
  async forDeliveries(deliveryIds: readonly string[]): Promise<Map<string, WebhookAttempt[]>> {
    const result = new Map<string, WebhookAttempt[]>(deliveryIds.map((id) => [id, []]));
    if (deliveryIds.length === 0) return result;
    const rows = await this.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', deliveryIds).orderBy('delivery_id').orderBy('attempt').execute();
    for (const row of rows) result.get(row.delivery_id)?.push(toAttempt(row));
    return result;
  }

  async deleteForEndpoint(endpointId: string): Promise<void> {
    await this.db.deleteFrom('webhook_attempts').where('endpoint_id', '=', endpointId).execute();
  }

  async deleteForEvents(eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.db.deleteFrom('webhook_attempts').where('delivery_id', 'in', this.db.selectFrom('webhook_deliveries').select('id').where('event_id', 'in', eventIds)).execute();
  }
}
