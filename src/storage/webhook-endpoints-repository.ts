import type { Kysely, Selectable } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { EndpointDisabledReason, WebhookEndpoint } from '../domain/webhook.js';
import type { Database, WebhookEndpointsTable } from './schema.js';

function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: row.id,
    accountId: row.account_id,
    environment: row.environment,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as string[],
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason,
    previousSecretExpiresAt: row.previous_secret_sealed === null ? null : row.previous_secret_expires_at,
    failingSince: row.failing_since,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface EndpointSecrets {
  current: string;
  previous: string | null;
  previousExpiresAt: number | null;
}

export interface EndpointPatch {
  url?: string;
  description?: string;
  eventTypes?: string[];
  enabled?: boolean;
  disabledReason?: EndpointDisabledReason | null;
  failingSince?: number | null;
  metadata?: Record<string, string>;
  updatedAt: number;
}

export class WebhookEndpointsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** PostgreSQL: lock the account row before counting. SQLite's writers are already serialised (BEGIN IMMEDIATE). */
    private readonly lockRows: boolean,
  ) {}

  async insert(endpoint: WebhookEndpoint, secretSealed: string): Promise<void> {
    await this.db
      .insertInto('webhook_endpoints')
      .values({
        id: endpoint.id,
        account_id: endpoint.accountId,
        environment: endpoint.environment,
        url: endpoint.url,
        description: endpoint.description,
        event_types: JSON.stringify(endpoint.eventTypes),
        enabled: endpoint.enabled ? 1 : 0,
        disabled_reason: endpoint.disabledReason,
        secret_sealed: secretSealed,
        previous_secret_sealed: null,
        previous_secret_expires_at: null,
        failing_since: null,
        metadata: JSON.stringify(endpoint.metadata),
        created_at: endpoint.createdAt,
        updated_at: endpoint.updatedAt,
      })
      .execute();
  }

  async list(accountId: string, environment: Environment): Promise<WebhookEndpoint[]> {
    const rows = await this.db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', accountId).where('environment', '=', environment).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(toEndpoint);
  }

  /** The enabled endpoints an event of this account and environment fans out to. */
  async listEnabled(accountId: string, environment: Environment): Promise<WebhookEndpoint[]> {
    const rows = await this.db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', accountId).where('environment', '=', environment).where('enabled', '=', 1).execute();
    return rows.map(toEndpoint);
  }

  /**
   * The account's endpoints in one environment, counted for adding one: the account's row stays
   * locked until the transaction ends, so two creations at once can't both see room for one more.
   * (Locking the endpoint rows would not do: a row the other transaction inserts is not among them.)
   */
  async countForInsert(accountId: string, environment: Environment): Promise<number> {
    if (this.lockRows) await this.db.selectFrom('accounts').select('id').where('id', '=', accountId).forUpdate().execute();
    const row = await this.db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', accountId).where('environment', '=', environment).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Scoped look-up: an endpoint of another account or environment does not exist for the caller. */
  async findInScope(accountId: string, environment: Environment, id: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('account_id', '=', accountId).where('environment', '=', environment).executeTakeFirst();
    return row === undefined ? undefined : toEndpoint(row);
  }

  async findById(id: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toEndpoint(row);
  }

  async secrets(id: string): Promise<EndpointSecrets | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').select(['secret_sealed', 'previous_secret_sealed', 'previous_secret_expires_at']).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : { current: row.secret_sealed, previous: row.previous_secret_sealed, previousExpiresAt: row.previous_secret_expires_at };
  }

  async update(id: string, patch: EndpointPatch): Promise<void> {
    await this.db
      .updateTable('webhook_endpoints')
      .set({
        updated_at: patch.updatedAt,
        ...(patch.url !== undefined && { url: patch.url }),
        ...(patch.description !== undefined && { description: patch.description }),
        ...(patch.eventTypes !== undefined && { event_types: JSON.stringify(patch.eventTypes) }),
        ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
        ...(patch.disabledReason !== undefined && { disabled_reason: patch.disabledReason }),
        ...(patch.failingSince !== undefined && { failing_since: patch.failingSince }),
        ...(patch.metadata !== undefined && { metadata: JSON.stringify(patch.metadata) }),
      })
      .where('id', '=', id)
      .execute();
  }

  async setSecrets(id: string, secrets: EndpointSecrets, now: number): Promise<void> {
    await this.db
      .updateTable('webhook_endpoints')
      .set({ secret_sealed: secrets.current, previous_secret_sealed: secrets.previous, previous_secret_expires_at: secrets.previousExpiresAt, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** A failed delivery: the endpoint starts failing now, unless it already was. */
  async markFailing(id: string, now: number): Promise<void> {
    await this.db.updateTable('webhook_endpoints').set({ failing_since: now }).where('id', '=', id).where('failing_since', 'is', null).execute();
  }

  /** Successful deliveries: these endpoints are healthy again. */
  async markHealthy(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', 'in', ids).where('failing_since', 'is not', null).execute();
  }

  /** Disables an enabled endpoint; false when it already was disabled (another worker got there first). */
  async disable(id: string, reason: EndpointDisabledReason, now: number): Promise<boolean> {
    const result = await this.db.updateTable('webhook_endpoints').set({ enabled: 0, disabled_reason: reason, updated_at: now }).where('id', '=', id).where('enabled', '=', 1).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Its deliveries and their attempts must be deleted first. */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
  }
}
