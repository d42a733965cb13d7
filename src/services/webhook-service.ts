import type { MasterKeyring } from '../crypto/master-key.js';
import type { Account } from '../domain/account.js';
import type { Environment } from '../domain/environment.js';
import { notFound, TesseraError } from '../domain/errors.js';
import { listEventTypes, unknownSubscriptions } from '../domain/event-types.js';
import { newId } from '../domain/ids.js';
import { generateWebhookSecret } from '../domain/signatures/standard-webhooks.js';
import type { DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../domain/webhook.js';
import type { SandboxTargets } from '../domain/webhook-url.js';
import type { Store } from '../storage/store.js';
import type { EndpointPatch } from '../storage/webhook-endpoints-repository.js';
import { auditEvent } from './audit-trail.js';
import type { ManagementContext } from './management-context.js';
import { paginate } from './pagination.js';
import { resolveTarget, type HostResolver } from './webhook-targets.js';

/** Per account and environment. */
export const MAX_ENDPOINTS = 16;

/** Binds a sealed signing secret to its endpoint (current and previous alike). */
export function webhookSecretAad(endpointId: string): string {
  return `webhook-secret:${endpointId}`;
}

export interface CreateEndpointInput {
  url: string;
  eventTypes: string[];
  description?: string | undefined;
  enabled?: boolean | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface UpdateEndpointInput {
  url?: string | undefined;
  eventTypes?: string[] | undefined;
  description?: string | undefined;
  enabled?: boolean | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface DeliveryWithAttempts {
  delivery: WebhookDelivery;
  attempts: WebhookAttempt[];
}

export interface WebhookServiceSettings {
  sandboxTargets: SandboxTargets;
  resolve: HostResolver;
  /** Told when deliveries became due outside the worker's own pace (a redelivery, an endpoint enabled). */
  wake?: () => void;
}

function validEventTypes(entries: string[]): string[] {
  const unknown = unknownSubscriptions(entries);
  if (unknown.length > 0) {
    const valid = listEventTypes().map((t) => t.name).join(', ');
    throw new TesseraError('unknown_event_type', `Unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in \`eventTypes\`. Use * for all, a prefix wildcard such as key.*, or: ${valid}.`, { param: 'eventTypes' });
  }
  return [...new Set(entries)];
}

/** Webhook endpoints, their signing secrets, and the deliveries made to them; every change audited in its transaction. */
export class WebhookService {
  constructor(
    private readonly store: Store,
    private readonly keyring: MasterKeyring,
    private readonly settings: WebhookServiceSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Who to tell when deliveries became due (the delivery worker of this process). */
  onDue(wake: () => void): void {
    this.settings.wake = wake;
  }

  async create(account: Account, input: CreateEndpointInput, ctx: ManagementContext): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const environment = this.environmentOf(ctx);
    const eventTypes = validEventTypes(input.eventTypes);
    const url = await this.checkUrl(input.url, environment);
    const now = this.now();
    const enabled = input.enabled ?? true;
    const endpoint: WebhookEndpoint = {
      id: newId('webhookEndpoint'),
      accountId: account.id,
      environment,
      url,
      description: input.description ?? '',
      eventTypes,
      enabled,
      disabledReason: enabled ? null : 'manual',
      previousSecretExpiresAt: null,
      failingSince: null,
      metadata: input.metadata ?? {},
      createdAt: now,
      updatedAt: now,
    };
    const secret = generateWebhookSecret();
    await this.store.transaction(async (tx) => {
      if ((await tx.webhookEndpoints.countForInsert(account.id, environment)) >= MAX_ENDPOINTS) {
        throw new TesseraError('invalid_request', `An account has at most ${MAX_ENDPOINTS} webhook endpoints per environment. Delete one, or subscribe an existing one to more event types.`);
      }
      await tx.webhookEndpoints.insert(endpoint, this.keyring.seal(secret, webhookSecretAad(endpoint.id)));
      await tx.audit.append(this.audit('webhook_endpoint.created', endpoint, ctx, now, { url, eventTypes, enabled }));
    });
    return { endpoint, secret };
  }

  async list(account: Account, ctx: ManagementContext): Promise<WebhookEndpoint[]> {
    const now = this.now();
    return (await this.store.webhookEndpoints.list(account.id, this.environmentOf(ctx))).map((e) => current(e, now));
  }

  async get(account: Account, endpointId: string, ctx: ManagementContext): Promise<WebhookEndpoint> {
    return current(await this.find(this.store, account, endpointId, ctx), this.now());
  }

  async update(account: Account, endpointId: string, input: UpdateEndpointInput, ctx: ManagementContext): Promise<WebhookEndpoint> {
    const changes = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as UpdateEndpointInput;
    if (Object.keys(changes).length === 0) return this.get(account, endpointId, ctx);
    const eventTypes = changes.eventTypes === undefined ? undefined : validEventTypes(changes.eventTypes);
    const environment = this.environmentOf(ctx);
    const url = changes.url === undefined ? undefined : await this.checkUrl(changes.url, environment);
    const now = this.now();
    const updated = await this.store.transaction(async (tx) => {
      const endpoint = await this.find(tx, account, endpointId, ctx);
      const patch: EndpointPatch = { updatedAt: now, url, eventTypes, description: changes.description, metadata: changes.metadata };
      if (changes.enabled !== undefined && changes.enabled !== endpoint.enabled) {
        Object.assign(patch, changes.enabled ? { enabled: true, disabledReason: null, failingSince: null } : { enabled: false, disabledReason: 'manual' });
      }
      await tx.webhookEndpoints.update(endpoint.id, patch);
      const action = patch.enabled === undefined ? 'webhook_endpoint.updated' : patch.enabled ? 'webhook_endpoint.enabled' : 'webhook_endpoint.disabled';
      await tx.audit.append(this.audit(action, endpoint, ctx, now, { changes: { ...changes, ...(url !== undefined && { url }), ...(eventTypes !== undefined && { eventTypes }) } }));
      return (await tx.webhookEndpoints.findById(endpoint.id))!;
    });
    if (updated.enabled) this.settings.wake?.();
    return current(updated, now);
  }

  /** Deletes the endpoint, its pending deliveries and its delivery history; the audit log keeps the fact. */
  async delete(account: Account, endpointId: string, ctx: ManagementContext): Promise<WebhookEndpoint> {
    const now = this.now();
    return this.store.transaction(async (tx) => {
      const endpoint = await this.find(tx, account, endpointId, ctx);
      await tx.webhookAttempts.deleteForEndpoint(endpoint.id);
      await tx.webhookDeliveries.deleteForEndpoint(endpoint.id);
      await tx.webhookEndpoints.delete(endpoint.id);
      await tx.audit.append(this.audit('webhook_endpoint.deleted', endpoint, ctx, now, { url: endpoint.url }));
      return current(endpoint, now);
    });
  }

  /**
   * A new signing secret, shown once. For `overlapSeconds` the previous one
   * keeps signing too (two `v1,` signatures per delivery), so receivers can
   * switch without missing a beat; a secret older than the previous one is
   * dropped at once.
   */
  async rotateSecret(account: Account, endpointId: string, overlapSeconds: number, ctx: ManagementContext): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const now = this.now();
    const secret = generateWebhookSecret();
    const endpoint = await this.store.transaction(async (tx) => {
      const found = await this.find(tx, account, endpointId, ctx);
      const secrets = (await tx.webhookEndpoints.secrets(found.id))!;
      const previousExpiresAt = overlapSeconds > 0 ? now + overlapSeconds * 1000 : null;
      await tx.webhookEndpoints.setSecrets(found.id, { current: this.keyring.seal(secret, webhookSecretAad(found.id)), previous: previousExpiresAt === null ? null : secrets.current, previousExpiresAt }, now);
      await tx.audit.append(
        this.audit('webhook_endpoint.secret_rotated', found, ctx, now, { overlapSeconds, previousSecretExpiresAt: previousExpiresAt === null ? null : new Date(previousExpiresAt).toISOString() }),
      );
      return { ...found, previousSecretExpiresAt: previousExpiresAt, updatedAt: now };
    });
    return { endpoint, secret };
  }

  async listDeliveries(
    account: Account,
    endpointId: string,
    query: { status?: DeliveryStatus | undefined; eventId?: string | undefined; limit: number; before?: string | undefined },
    ctx: ManagementContext,
  ): Promise<{ deliveries: DeliveryWithAttempts[]; nextCursor: string | null }> {
    const endpoint = await this.find(this.store, account, endpointId, ctx);
    const { data: items, nextCursor } = await paginate(query, (page) => this.store.webhookDeliveries.list(endpoint.id, { status: query.status, eventId: query.eventId, ...page }));
    const attempts = await this.store.webhookAttempts.forDeliveries(items.map((d) => d.id));
    return { deliveries: items.map((delivery) => ({ delivery, attempts: attempts.get(delivery.id) ?? [] })), nextCursor };
  }

  async getDelivery(account: Account, endpointId: string, deliveryId: string, ctx: ManagementContext): Promise<DeliveryWithAttempts> {
    const endpoint = await this.find(this.store, account, endpointId, ctx);
    const delivery = await this.store.webhookDeliveries.findForEndpoint(endpoint.id, deliveryId);
    if (delivery === undefined) throw notFound('delivery', deliveryId, 'deliveryId');
    const attempts = await this.store.webhookAttempts.forDeliveries([delivery.id]);
    return { delivery, attempts: attempts.get(delivery.id) ?? [] };
  }

  /**
   * Sends the event to the endpoint again, now: same body, same webhook-id
   * (a receiver that processed it already can tell). Attempts go on counting;
   * if this one fails, the retry schedule continues from there.
   */
  async redeliver(account: Account, endpointId: string, deliveryId: string, ctx: ManagementContext): Promise<DeliveryWithAttempts> {
    const now = this.now();
    const result = await this.store.transaction(async (tx) => {
      const endpoint = await this.find(tx, account, endpointId, ctx);
      const delivery = await tx.webhookDeliveries.findForEndpoint(endpoint.id, deliveryId);
      if (delivery === undefined) throw notFound('delivery', deliveryId, 'deliveryId');
      if (!endpoint.enabled) {
        throw new TesseraError('webhook_endpoint_disabled', `Webhook endpoint ${endpoint.id} is disabled (${endpoint.disabledReason ?? 'manual'}). Enable it with PATCH {"enabled": true}, then redeliver.`, { param: 'endpointId' });
      }
      await tx.webhookDeliveries.redeliver(delivery.id, now);
      await tx.audit.append(this.audit('webhook_delivery.redelivered', endpoint, ctx, now, { deliveryId: delivery.id, eventId: delivery.eventId }));
      const attempts = await tx.webhookAttempts.forDeliveries([delivery.id]);
      return { delivery: { ...delivery, status: 'pending' as const, nextAttemptAt: now, updatedAt: now }, attempts: attempts.get(delivery.id) ?? [] };
    });
    this.settings.wake?.();
    return result;
  }

  private async find(store: Store, account: Account, endpointId: string, ctx: ManagementContext): Promise<WebhookEndpoint> {
    const endpoint = await store.webhookEndpoints.findInScope(account.id, this.environmentOf(ctx), endpointId);
    if (endpoint === undefined) throw notFound('webhook endpoint', endpointId, 'endpointId');
    return endpoint;
  }

  private async checkUrl(url: string, environment: Environment): Promise<string> {
    const checked = await resolveTarget(url, environment, this.settings.sandboxTargets, this.settings.resolve);
    if (!checked.ok) throw new TesseraError('webhook_url_not_allowed', `\`url\` ${checked.reason}.`, { param: 'url' });
    return checked.value.url.href;
  }

  /** The caller's environment; the operator's CLI (no environment) works in sandbox. */
  private environmentOf(ctx: ManagementContext): Environment {
    return ctx.environment ?? 'sandbox';
  }

  private audit(action: string, endpoint: WebhookEndpoint, ctx: ManagementContext, now: number, details: Record<string, unknown>) {
    return auditEvent(ctx, { accountId: endpoint.accountId, environment: endpoint.environment, action, targetType: 'webhook_endpoint', targetId: endpoint.id, details }, now);
  }
}

/** An overlap that ended is no overlap: the previous secret no longer signs. */
function current(endpoint: WebhookEndpoint, now: number): WebhookEndpoint {
  return endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt <= now ? { ...endpoint, previousSecretExpiresAt: null } : endpoint;
}
