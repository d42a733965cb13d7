import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WebhookSettings } from '../config.js';
import type { Store } from '../storage/store.js';
import type { Unsealer } from './auth-entry.js';
import { KeyExpiryNotifier } from './key-expiry-notifier.js';
import { WebhookDispatcher, type DispatchReport } from './webhook-dispatcher.js';
import type { HostResolver } from './webhook-targets.js';
import { WebhookTransport } from './webhook-transport.js';

const EXPIRY_SWEEP_MS = 60_000;
const RETENTION_SWEEP_MS = 600_000;

export interface Notifications {
  dispatcher: WebhookDispatcher;
  expiry: KeyExpiryNotifier;
  /**
   * One pass by the injected clock, for tests and tools: the expiry sweep,
   * then every delivery due now, sent and recorded.
   */
  runOnce(): Promise<DispatchReport & { expiryEvents: number }>;
  /** Deletes events past retention whose deliveries are finished; answers how many. */
  prune(): Promise<number>;
  /** The worker, the expiry sweep and retention, when this process runs them (TESSERA_WEBHOOK_WORKER). */
  start(): void;
  stop(): Promise<void>;
}

/** The notification machinery of a server process: delivery worker, expiry sweep, retention. */
export function createNotifications(deps: { store: Store; settings: WebhookSettings; unseal: Unsealer; resolve: HostResolver; logger: Logger; now: () => number }): Notifications {
  const { store, settings, logger, now } = deps;
  const dispatcher = new WebhookDispatcher(
    { store, unseal: deps.unseal, resolve: deps.resolve, transport: new WebhookTransport(), now, logger },
    {
      concurrency: settings.concurrency,
      endpointConcurrency: settings.endpointConcurrency,
      timeoutMs: settings.timeoutMs,
      pollMs: settings.pollMs,
      disableAfterMs: settings.disableAfterHours * 3600_000,
      sandboxTargets: settings.sandboxTargets,
    },
  );
  const expiry = new KeyExpiryNotifier(store, settings.keyExpiryNoticeHours * 3600_000, now);
  const timers: NodeJS.Timeout[] = [];
  const prune = async () => {
    let pruned = 0;
    for (;;) {
      const ids = await store.events.prunable(now() - settings.eventRetentionDays * 86_400_000, 1000);
      if (ids.length === 0) return pruned;
      await store.transaction(async (tx) => {
        await tx.webhookAttempts.deleteForEvents(ids);
        await tx.webhookDeliveries.deleteForEvents(ids);
        await tx.events.deleteIds(ids);
      });
      pruned += ids.length;
    }
  };
  const sweep = () => {
    expiry
      .sweep()
      .then((n) => n > 0 && dispatcher.wake())
      .catch((error: unknown) => logger.warn({ err: error }, 'key expiry sweep failed'));
  };
  return {
    dispatcher,
    expiry,
    async runOnce() {
      const expiryEvents = await expiry.sweep();
      return { ...(await dispatcher.runOnce()), expiryEvents };
    },
    prune,
    start() {
      if (!settings.worker) return;
      dispatcher.start();
      sweep();
      timers.push(setInterval(sweep, EXPIRY_SWEEP_MS), setInterval(() => prune().catch((error: unknown) => logger.warn({ err: error }, 'event retention prune failed')), RETENTION_SWEEP_MS));
      for (const timer of timers) timer.unref();
    },
    async stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      await dispatcher.stop();
    },
  };
}

/** Prometheus: attempts by outcome and deliveries in flight, read from the worker when scraped. */
export function registerWebhookMetrics(registry: Registry, dispatcher: WebhookDispatcher): void {
  new Counter({
    name: 'tessera_webhook_attempts_total',
    help: 'Webhook delivery attempts recorded by this process, by outcome (succeeded: a 2xx answer).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'succeeded' }, dispatcher.stats.succeeded);
      this.inc({ outcome: 'failed' }, dispatcher.stats.failed);
    },
  });
  new Gauge({
    name: 'tessera_webhook_deliveries_in_flight',
    help: 'Webhook deliveries this process is sending right now.',
    registers: [registry],
    collect() {
      this.set(dispatcher.inFlight);
    },
  });
}
