import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { SandboxTargets } from '../domain/webhook-url.js';
import { webhookHeaders, webhookSecretKey } from '../domain/signatures/standard-webhooks.js';
import { nextRetryAt, type DeliveryStatus, type EndpointDisabledReason } from '../domain/webhook.js';
import type { Store } from '../storage/store.js';
import type { DeliveryJob } from '../storage/webhook-deliveries-repository.js';
import { endpointView, eventBody } from '../views/webhook-view.js';
import type { Unsealer } from './auth-entry.js';
import { auditEvent } from './audit-trail.js';
import { recordEvent } from './events.js';
import type { ManagementContext } from './management-context.js';
import { webhookSecretAad } from './webhook-service.js';
import { resolveTarget, type HostResolver } from './webhook-targets.js';
import type { WebhookTransport } from './webhook-transport.js';

export interface DispatcherSettings {
  /** Deliveries in flight in this process, over all endpoints. */
  concurrency: number;
  /** Deliveries in flight in this process to any one endpoint: a slow endpoint holds only these. */
  endpointConcurrency: number;
  timeoutMs: number;
  /** How often an idle worker looks for due deliveries. */
  pollMs: number;
  /** An endpoint whose deliveries all failed for this long is disabled. */
  disableAfterMs: number;
  sandboxTargets: SandboxTargets;
}

export interface DispatchReport {
  attempted: number;
  succeeded: number;
  failed: number;
}

export interface DispatcherDeps {
  store: Store;
  unseal: Unsealer;
  resolve: HostResolver;
  transport: WebhookTransport;
  now: () => number;
  logger: Logger;
  random?: () => number;
}

interface AttemptResult {
  job: DeliveryJob;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  status: number | null;
  error: string | null;
  url: string;
}

/** How long a cycle waits for more answers while deliveries are in flight. */
const BATCH_WINDOW_MS = 2;

const SYSTEM: ManagementContext = { actor: { type: 'system', id: 'webhooks', credentialId: null, ip: null, requestId: null }, environment: null, principal: null };

/** Lease on a claimed delivery: past it, the delivery is due again (its worker is presumed dead). */
function leaseMs(timeoutMs: number): number {
  return 2 * timeoutMs + 5000;
}

/**
 * The delivery worker. Claims due deliveries from the outbox with a lease
 * (PostgreSQL: FOR UPDATE SKIP LOCKED, so workers on several nodes never send
 * one twice), sends them with bounded concurrency globally and per endpoint,
 * and records each attempt, with the next retry, in batches. Delivery is at
 * least once: a delivery sent but not recorded before a crash is sent again
 * when its lease lapses, with the same webhook-id, so receivers dedupe.
 */
export class WebhookDispatcher {
  private readonly workerId = randomBytes(6).toString('base64url');
  private claims = 0;
  private claimed = 0;
  private active = 0;
  private readonly perEndpoint = new Map<string, number>();
  private results: AttemptResult[] = [];
  /** One cycle at a time; a request for another while one runs sets `again`. */
  private cycling = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** runOnce calls under way: they claim even when the worker is not running. */
  private draining = 0;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];
  private readonly keys = new Map<string, Buffer>();
  private readonly random: () => number;
  readonly stats: DispatchReport = { attempted: 0, succeeded: 0, failed: 0 };

  constructor(
    private readonly deps: DispatcherDeps,
    private readonly settings: DispatcherSettings,
  ) {
    this.random = deps.random ?? Math.random;
  }

  /** Deliveries being sent right now. */
  get inFlight(): number {
    return this.active;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = setInterval(() => this.kick(), this.settings.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Look for due deliveries now rather than at the next poll. */
  wake(): void {
    if (this.running) this.kick();
  }

  /**
   * Stops claiming; waits briefly for deliveries in flight, then drops the
   * rest (their leases lapse and they are sent again) and records what came back.
   */
  async stop(graceMs = 1000): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await Promise.race([this.idle(), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    this.stopping = true;
    this.deps.transport.close();
    while (this.cycling) await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.results.length > 0) await this.cycle();
  }

  /**
   * One pass, for tests and tools: sends everything due now (by the injected
   * clock) and records it; answers what was attempted.
   */
  async runOnce(): Promise<DispatchReport> {
    const before = { ...this.stats };
    this.draining++;
    try {
      for (;;) {
        const claimedBefore = this.claimed;
        this.kick();
        await this.idle();
        if (this.claimed === claimedBefore) break;
      }
    } finally {
      this.draining--;
    }
    return { attempted: this.stats.attempted - before.attempted, succeeded: this.stats.succeeded - before.succeeded, failed: this.stats.failed - before.failed };
  }

  /** Resolves when nothing is being claimed, sent or recorded. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.active === 0 && !this.cycling && this.results.length === 0;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Asks for a cycle. It starts after the current turn of the event loop, so
   * every answer that arrived in this turn is recorded in the same
   * transaction; while other deliveries are still in flight, a couple of
   * milliseconds later, so the answers close behind join it too (one commit
   * for many deliveries, rather than one each).
   */
  private kick(): void {
    if (this.cycling) {
      this.again = true;
      return;
    }
    this.cycling = true;
    const later = this.active > 0 ? (run: () => void) => setTimeout(run, BATCH_WINDOW_MS) : setImmediate;
    later(() => {
      this.cycle()
        .catch((error: unknown) => this.deps.logger.error({ err: error }, 'webhook delivery cycle failed'))
        .finally(() => {
          this.cycling = false;
          if (this.again) {
            this.again = false;
            this.kick();
          } else this.checkIdle();
        });
    });
  }

  /**
   * One transaction: record the attempts that came back (outcome, next retry,
   * endpoint health), then lease as many due deliveries as there is room for;
   * then start sending those.
   */
  private async cycle(): Promise<void> {
    const { store, now: clock } = this.deps;
    const batch = this.results;
    this.results = [];
    const claiming = (this.running || this.draining > 0) && !this.stopping;
    const free = claiming ? this.settings.concurrency - this.active : 0;
    const now = clock();
    // An idle poll reads before it writes: no write lock while nothing is due.
    if (batch.length === 0 && (free <= 0 || !(await store.webhookDeliveries.anyDue(now)))) return;
    const leaseToken = `${this.workerId}.${++this.claims}`;
    let ids: string[];
    try {
      let recorded: AttemptResult[] = [];
      ids = await store.transaction(async (tx) => {
        if (batch.length > 0) recorded = await this.record(tx, batch, now);
        if (free <= 0) return [];
        return tx.webhookDeliveries.claim({
          now,
          limit: free,
          perEndpoint: this.settings.endpointConcurrency,
          busy: [...this.perEndpoint].map(([endpointId, inFlight]) => ({ endpointId, inFlight })),
          leaseUntil: now + leaseMs(this.settings.timeoutMs),
          leaseToken,
          skipLocked: store.dialect === 'postgres',
        });
      });
      for (const result of recorded) {
        this.stats.attempted++;
        if (succeeded(result)) this.stats.succeeded++;
        else this.stats.failed++;
      }
    } catch (error) {
      // Not recorded: the leases lapse and these deliveries are sent again (same webhook-id).
      this.deps.logger.error({ err: error, results: batch.length }, 'could not record webhook attempts or claim deliveries');
      return;
    }
    if (ids.length === 0) return;
    this.claimed += ids.length;
    let jobs: DeliveryJob[];
    try {
      jobs = await store.webhookDeliveries.jobs(ids, leaseToken);
    } catch (error) {
      // Their leases lapse and they are claimed again.
      this.deps.logger.error({ err: error, deliveries: ids.length }, 'could not load claimed webhook deliveries');
      return;
    }
    for (const job of jobs) this.launch(job);
    // A full claim means more may be due now.
    if (ids.length === free) this.again = true;
  }

  private launch(job: DeliveryJob): void {
    this.active++;
    this.perEndpoint.set(job.endpointId, (this.perEndpoint.get(job.endpointId) ?? 0) + 1);
    this.attempt(job)
      .then(
        (result) => {
          if (!this.stopping) this.results.push(result);
        },
        (error: unknown) => this.deps.logger.error({ err: error, delivery: job.deliveryId }, 'webhook delivery failed unexpectedly'),
      )
      .finally(() => {
        this.active--;
        const left = (this.perEndpoint.get(job.endpointId) ?? 1) - 1;
        if (left === 0) this.perEndpoint.delete(job.endpointId);
        else this.perEndpoint.set(job.endpointId, left);
        if (this.results.length > 0) this.kick();
        else this.checkIdle();
      });
  }

  private async attempt(job: DeliveryJob): Promise<AttemptResult> {
    const { now } = this.deps;
    const startedAt = now();
    const started = performance.now();
    const done = (status: number | null, error: string | null, durationMs = Math.round(performance.now() - started)): AttemptResult => ({
      job,
      startedAt,
      finishedAt: now(),
      durationMs,
      status,
      error,
      url: job.url,
    });
    try {
      // Checked again at delivery time: DNS may now point somewhere it must not.
      const target = await resolveTarget(job.url, job.environment, this.settings.sandboxTargets, this.deps.resolve);
      if (!target.ok) return done(null, `address not allowed: the URL ${target.reason}`);
      const body = eventBody({ id: job.eventId, type: job.eventType, createdAt: job.eventCreatedAt, accountId: job.accountId, environment: job.environment, dataJson: job.eventData });
      const keys = [this.key(job.secretSealed, job.endpointId)];
      if (job.previousSecretSealed !== null && job.previousSecretExpiresAt !== null && job.previousSecretExpiresAt > startedAt) keys.push(this.key(job.previousSecretSealed, job.endpointId));
      const headers = { ...webhookHeaders(keys, job.eventId, Math.floor(startedAt / 1000), body), 'user-agent': 'Tessera-Webhooks/1' };
      const sent = await this.deps.transport.send({ target: target.value, headers, body, timeoutMs: this.settings.timeoutMs });
      return done(sent.status, sent.error, sent.durationMs);
    } catch (error) {
      // Our fault (e.g. a secret sealed under a master key this process lacks): a failed attempt, retried on schedule.
      this.deps.logger.error({ err: error, delivery: job.deliveryId }, 'webhook delivery could not be prepared');
      return done(null, 'internal error: the delivery could not be prepared; it is retried');
    }
  }

  private key(sealed: string, endpointId: string): Buffer {
    let key = this.keys.get(sealed);
    if (key === undefined) {
      key = webhookSecretKey(this.deps.unseal(sealed, webhookSecretAad(endpointId)).toString('utf8'));
      if (this.keys.size >= 1000) this.keys.clear();
      this.keys.set(sealed, key);
    }
    return key;
  }

  /** Records a batch of attempts: the outcomes, the next retries, the endpoints' health. */
  private async record(tx: Store, batch: AttemptResult[], now: number): Promise<AttemptResult[]> {
    const kept = await tx.webhookDeliveries.completeMany(
      batch.map((result) => this.outcome(result)),
      now,
    );
    const recorded = batch.filter((r) => kept.has(r.job.deliveryId));
    if (recorded.length < batch.length) {
      this.deps.logger.warn({ lost: batch.length - recorded.length }, 'webhook delivery leases lapsed before their attempts were recorded; other workers own them');
    }
    await tx.webhookAttempts.insertMany(
      recorded.map((result) => ({
        deliveryId: result.job.deliveryId,
        attempt: result.job.attemptCount + 1,
        endpointId: result.job.endpointId,
        url: result.url,
        startedAt: result.startedAt,
        durationMs: result.durationMs,
        responseStatus: result.status,
        succeeded: succeeded(result),
        error: succeeded(result) ? null : result.error,
      })),
    );
    // The latest attempt to each endpoint decides its health.
    const latest = new Map<string, AttemptResult>();
    for (const result of recorded) {
      const previous = latest.get(result.job.endpointId);
      if (previous === undefined || previous.finishedAt <= result.finishedAt) latest.set(result.job.endpointId, result);
    }
    await tx.webhookEndpoints.markHealthy([...latest.values()].filter(succeeded).map((r) => r.job.endpointId));
    for (const result of latest.values()) if (!succeeded(result)) await this.updateHealth(tx, result, now);
    return recorded;
  }

  private outcome(result: AttemptResult) {
    const attemptCount = result.job.attemptCount + 1;
    let status: DeliveryStatus = 'succeeded';
    let nextAttemptAt: number | null = null;
    if (!succeeded(result)) {
      nextAttemptAt = result.status === 410 ? null : nextRetryAt(attemptCount, result.finishedAt, this.random());
      status = nextAttemptAt === null ? 'failed' : 'pending';
    }
    return { id: result.job.deliveryId, leaseToken: result.job.leaseToken, status, attemptCount, nextAttemptAt, lastAttemptAt: result.startedAt, lastResponseStatus: result.status };
  }

  /** A failed attempt: 410 Gone disables the endpoint; failing for too long disables it. */
  private async updateHealth(tx: Store, result: AttemptResult, now: number): Promise<void> {
    const endpointId = result.job.endpointId;
    if (result.status === 410) {
      await this.disable(tx, endpointId, 'gone', now);
      return;
    }
    await tx.webhookEndpoints.markFailing(endpointId, result.startedAt);
    const endpoint = await tx.webhookEndpoints.findById(endpointId);
    if (endpoint?.enabled && endpoint.failingSince !== null && now - endpoint.failingSince >= this.settings.disableAfterMs) await this.disable(tx, endpointId, 'failing', now);
  }

  /** Disables the endpoint and tells the account: an audit event, and `webhook_endpoint.disabled` to its other endpoints. */
  private async disable(tx: Store, endpointId: string, reason: EndpointDisabledReason, now: number): Promise<void> {
    if (!(await tx.webhookEndpoints.disable(endpointId, reason, now))) return;
    const endpoint = (await tx.webhookEndpoints.findById(endpointId))!;
    const why = reason === 'gone' ? 'the endpoint answered 410 Gone' : `every delivery failed since ${new Date(endpoint.failingSince ?? now).toISOString()}`;
    await tx.audit.append(auditEvent(SYSTEM, { accountId: endpoint.accountId, environment: endpoint.environment, action: 'webhook_endpoint.disabled', targetType: 'webhook_endpoint', targetId: endpoint.id, details: { reason, why } }, now));
    await recordEvent(tx, { accountId: endpoint.accountId, environment: endpoint.environment, type: 'webhook_endpoint.disabled', data: { object: endpointView(endpoint), reason } }, now);
    this.deps.logger.warn({ endpoint: endpoint.id, account: endpoint.accountId, reason }, `webhook endpoint disabled: ${why}`);
  }
}

function succeeded(result: AttemptResult): boolean {
  return result.status !== null && result.status >= 200 && result.status < 300;
}
