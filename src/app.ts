import { unwatchFile, watchFile } from 'node:fs';
import { sql } from 'kysely';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config.js';
import { loadMasterKeyring, reloadingUnsealer } from './crypto/master-key-file.js';
import type { MasterKeyring } from './crypto/master-key.js';
import { BatchedStdout, createLogger } from './logger.js';
import { SlidingWindowRateLimiter } from './domain/rate-limiter.js';
import { Metrics } from './http/metrics.js';
import { requestEnvironmentResolver } from './http/request-environment.js';
import type { App } from './http/route-deps.js';
import { buildServer } from './http/server.js';
import { AccountService } from './services/account-service.js';
import type { Unsealer } from './services/auth-entry.js';
import { AuditLogService } from './services/audit-log.js';
import { ClientSecretService } from './services/client-secrets.js';
import { Authenticator, type AuthenticatorOptions } from './services/authenticator.js';
import { ensureOperator, type BootstrapResult } from './services/bootstrap.js';
import { ChangeWatcher } from './services/change-watcher.js';
import { nudgeServers, startControlSocket } from './services/control-socket.js';
import { IdempotencyService } from './services/idempotency.js';
import { KeyService } from './services/key-service.js';
import { MemoryReplayCache } from './services/replay-cache.js';
import { UsageRecorder } from './services/usage-recorder.js';
import { createPayments, type Payments } from './services/payments.js';
import type { PaymentProcessor } from './domain/processor.js';
import { EventService } from './services/events.js';
import { createNotifications, registerWebhookMetrics, type Notifications } from './services/notifications.js';
import { WebhookService } from './services/webhook-service.js';
import { systemResolver, type HostResolver } from './services/webhook-targets.js';
import { AccessTokenVerifier } from './services/oauth/access-token-verifier.js';
import { REVOKED_TOKEN_PREFIX, TokenRevocations } from './services/oauth/token-revocations.js';
import { TokenService } from './services/oauth/token-service.js';
import { SIGNING_KEYS_CHANGED, TokenSigningKeys } from './services/oauth/token-signing-keys.js';
import type { ReplayGuard } from './domain/signatures/http-message-signature.js';
import { openDatabase, type OpenedDatabase } from './storage/database.js';
import { PasswordHasher } from './services/passwords.js';
import { SessionService } from './services/session-service.js';
import { MemberService } from './services/member-service.js';
import { KeyUsageService } from './services/key-usage.js';
import { migrateToLatest } from './storage/migrator.js';
import { Store } from './storage/store.js';

export interface TesseraOptions {
  config: Config;
  /** Where logs go; stdout by default. Tests capture them here. */
  logStream?: DestinationStream;
  /** The clock; tests freeze it. */
  now?: () => number;
  /** DNS for webhook endpoint hosts; tests play DNS with it. */
  resolveHost?: HostResolver;
  /** A real payment processor for live; without one, live uses the built-in simulated processor too. */
  processors?: { live?: PaymentProcessor };
}

/** Storage, master key and the services on top of them: what the server and the CLI share. */
export interface Core {
  config: Config;
  logger: Logger;
  opened: OpenedDatabase;
  store: Store;
  keyring: MasterKeyring;
  /** Opens a sealed value, picking up a rotated master key file if needed. */
  unseal: Unsealer;
  /** Re-reads the master key configuration (after a rotation by another process). */
  reloadKeyring(): void;
  generatedMasterKeyFile: string | null;
  accounts: AccountService;
  keys: KeyService;
  auditLog: AuditLogService;
  webhooks: WebhookService;
  events: EventService;
  clientSecrets: ClientSecretService;
  /** The dashboard's users: sign-in and sessions, invitations and members. */
  sessions: SessionService;
  members: MemberService;
  now: () => number;
  close(): Promise<void>;
}

export async function openCore(options: TesseraOptions & { onCredentialChanged: (id: string) => void | Promise<void>; createMasterKey: boolean }): Promise<Core> {
  const { config } = options;
  const now = options.now ?? Date.now;
  const logStream = options.logStream ?? new BatchedStdout();
  const logger = createLogger(config, logStream);
  const { keyring, generatedFile } = loadMasterKeyring({ envValue: config.masterKey, filePath: config.masterKeyFile, createIfMissing: options.createMasterKey });
  const opened = openDatabase(config);
  try {
    await migrateToLatest(opened);
  } catch (error) {
    await opened.close();
    throw error;
  }
  const store = new Store(opened.db, opened.dialect);
  const passwords = new PasswordHasher();
  const sessions = new SessionService(store, passwords, config.dashboard, now);
  return {
    config,
    logger,
    opened,
    store,
    keyring,
    unseal: reloadingUnsealer(keyring, { envValue: config.masterKey, filePath: config.masterKeyFile }),
    reloadKeyring: () => keyring.replaceWith(loadMasterKeyring({ envValue: config.masterKey, filePath: config.masterKeyFile, createIfMissing: false }).keyring),
    generatedMasterKeyFile: generatedFile,
    accounts: new AccountService(store, { credentialChanged: options.onCredentialChanged }, now),
    keys: new KeyService(store, config.brand, keyring, { credentialChanged: options.onCredentialChanged }, { maxTokenLifetimeSeconds: config.oauth.maxTokenLifetimeSeconds }, now),
    auditLog: new AuditLogService(store),
    clientSecrets: new ClientSecretService(store, config.brand, now),
    webhooks: new WebhookService(store, keyring, { sandboxTargets: config.webhooks.sandboxTargets, resolve: options.resolveHost ?? systemResolver }, now),
    events: new EventService(store),
    sessions,
    members: new MemberService(store, passwords, sessions, () => config.publicUrl, now),
    now,
    close: async () => {
      await opened.close();
      if (logStream instanceof BatchedStdout) logStream.end();
    },
  };
}

/** The authenticator over this core's storage; the server's and the CLI's `verify` are built alike. */
export function createAuthenticator(core: Core, usage: UsageRecorder, replay: ReplayGuard, extras: Pick<AuthenticatorOptions, 'tokens' | 'ownOrigins'> = {}): Authenticator {
  const { config } = core;
  return new Authenticator({
    brand: config.brand,
    credentials: core.store.credentials,
    rateLimiter: new SlidingWindowRateLimiter(core.now),
    usage,
    unseal: core.unseal,
    replay,
    signatureToleranceSeconds: config.signatureToleranceSeconds,
    cache: { size: config.credentialCacheSize, negativeSize: config.negativeCacheSize, negativeTtlMs: config.negativeCacheTtlMs },
    clientSecrets: core.clientSecrets,
    ...extras,
    now: core.now,
  });
}

export interface Tessera {
  core: Core;
  signingKeys: TokenSigningKeys;
  server: App;
  authenticator: Authenticator;
  bootstrap: BootstrapResult;
  usage: UsageRecorder;
  /** The delivery worker and the key expiry sweep; `runOnce()` for tests with a frozen clock. */
  webhooks: Notifications;
  /** The reference payments API; `housekeeping()` for tests with a frozen clock. */
  payments: Payments;
  /** Starts listening; answers the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function createTessera(options: TesseraOptions): Promise<Tessera> {
  let authenticator: Authenticator | null = null;
  let control: Awaited<ReturnType<typeof startControlSocket>> = null;
  // Drop the credential here, then have every other server on this data folder
  // re-read the change feed before the management call answers.
  const onCredentialChanged = async (id: string) => {
    authenticator?.invalidate(id);
    await nudgeServers(options.config.dataDir, { exclude: control?.path });
  };
  const core = await openCore({ ...options, createMasterKey: true, onCredentialChanged });
  const { config, store, logger, now } = core;
  const usage = new UsageRecorder((samples, counts) =>
    store.transaction(async (tx) => {
      await tx.credentials.recordUsage(samples);
      await tx.credentialUsage.add(counts);
    }),
  );
  const replay = new MemoryReplayCache(1_000_000, () => Math.floor(now() / 1000));
  const signingKeys = new TokenSigningKeys(store, core.keyring, core.unseal, (config.oauth.maxTokenLifetimeSeconds + 60) * 1000, now);
  await signingKeys.load();
  const revocations = new TokenRevocations(store, now, () => nudgeServers(options.config.dataDir, { exclude: control?.path }));
  await revocations.load();
  const verifier = new AccessTokenVerifier(signingKeys, config.oauth, now);
  // The hosted checkout page is Tessera's own: its origin may use any account's publishable key.
  // PORT=0 (tests) is only known once listening: the public URL and this set are completed then.
  let publicUrl = config.publicUrl;
  const ownOrigins = new Set(URL.canParse(publicUrl) ? [new URL(publicUrl).origin] : []);
  authenticator = createAuthenticator(core, usage, replay, { tokens: { verifier, revocations }, ownOrigins });
  const auth = authenticator;
  const tokens = new TokenService(auth, signingKeys, verifier, revocations, config.oauth, now);
  const bootstrap = await ensureOperator(store, core.keys, now);
  const warn = (what: string) => (error: unknown) => logger.warn({ err: error }, what);
  // Every change another process announces: a credential or account, a revoked token, new signing keys.
  // The reloads are awaited by the change feed's sync, so that a CLI's nudge answers only once they are done.
  const applyChange = (id: string): void | Promise<void> => {
    if (id === SIGNING_KEYS_CHANGED) return signingKeys.load().catch(warn('reloading token signing keys'));
    if (id.startsWith(REVOKED_TOKEN_PREFIX)) return revocations.learn(id.slice(REVOKED_TOKEN_PREFIX.length)).catch(warn('loading token revocations'));
    auth.invalidate(id);
  };
  const watcher = new ChangeWatcher(core.opened, store.credentialChanges, applyChange, warn('credential change feed'));
  const idempotency = new IdempotencyService(store, core.keyring, core.unseal, config.idempotencyTtlHours * 3600_000, now);
  const metrics = new Metrics(() => auth.outcomeCounts());
  const notifications = createNotifications({ store, settings: config.webhooks, unseal: core.unseal, resolve: options.resolveHost ?? systemResolver, logger, now });
  core.webhooks.onDue(() => notifications.dispatcher.wake());
  registerWebhookMetrics(metrics.registry, notifications.dispatcher);
  const environmentOf = requestEnvironmentResolver(config.sandboxHosts, config.liveHosts);
  const keyUsage = new KeyUsageService(store, now);
  const payments = createPayments({ store, keyring: core.keyring, unseal: core.unseal, keys: core.keys, accounts: core.accounts, maxAmount: config.maxAmount, publicUrl: () => publicUrl, liveProcessor: options.processors?.live, now });
  const server = await buildServer({
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    brand: config.brand,
    publicUrl: config.publicUrl,
    authentication: {
      authenticator: auth,
      extraHeaders: config.apiKeyHeaders,
      environmentOf,
      sessions: core.sessions,
      transport: {
        enforced: config.httpsRequired.length > 0,
        httpsRequired: new Set(config.httpsRequired),
        brand: config.brand,
        onKeySentOverHttp: async (secret, request) => {
          if (!config.disableKeysSentOverHttp) return;
          const ctx = { actor: { type: 'system' as const, id: 'https-only', credentialId: null, ip: request.ip, requestId: request.id }, environment: null, principal: null };
          await core.keys.disableExposed(secret, `sent over plain HTTP from ${request.ip}`, ctx).catch((error: unknown) => logger.error({ err: error }, 'could not disable an exposed key'));
        },
      },
    },
    twoCredentialRoutes: config.twoCredentialRoutes,
    tls: config.tls,
    trustedProxies: config.trustedProxies,
    idempotency,
    routes: {
      tokens,
      clientSecrets: core.clientSecrets,
      signingKeys,
      oauth: config.oauth,
      environmentOf,
      accounts: core.accounts,
      keys: core.keys,
      auditLog: core.auditLog,
      webhooks: core.webhooks,
      events: core.events,
      payments,
      authenticator: auth,
      metrics,
      now,
      sessions: core.sessions,
      members: core.members,
      keyUsage,
      isReady: async () => {
        try {
          await sql`select 1`.execute(core.opened.db);
          return true;
        } catch {
          return false;
        }
      },
    },
  });

  let housekeeping: NodeJS.Timeout | null = null;
  let paymentsUpkeep: NodeJS.Timeout | null = null;
  return {
    core,
    signingKeys,
    server,
    authenticator: auth,
    bootstrap,
    usage,
    webhooks: notifications,
    payments,
    async listen() {
      await watcher.start();
      control = await startControlSocket(config.dataDir, async (command) => (command === 'sync' ? watcher.sync() : core.reloadKeyring()));
      // Seal with a rotated master key soon even without a nudge (another folder sharing the key file).
      if (config.masterKey === undefined) watchFile(config.masterKeyFile, { interval: 2000, persistent: false }, () => core.reloadKeyring());
      usage.start(config.usageFlushMs, (error) => logger.warn({ err: error }, 'last-used flush failed'));
      housekeeping = setInterval(() => {
        idempotency.prune().catch((error: unknown) => logger.warn({ err: error }, 'idempotency prune failed'));
        revocations.prune();
        store.clientSecrets.pruneExpired(now()).catch(warn('client secret prune failed'));
        store.oauthRevocations.pruneExpired(now()).catch(warn('revocation prune failed'));
        store.credentialChanges.pruneBefore(now() - 3600_000).catch((error: unknown) => logger.warn({ err: error }, 'change feed prune failed'));
        core.sessions.prune().catch(warn('dashboard session prune failed'));
        keyUsage.prune().catch(warn('key usage prune failed'));
      }, 600_000);
      housekeeping.unref();
      // Sessions expire after 30 minutes: record it (and notify) within a minute, not at the next 10-minute sweep.
      paymentsUpkeep = setInterval(() => payments.housekeeping().catch(warn('payments housekeeping failed')), 60_000);
      paymentsUpkeep.unref();
      const address = await server.listen({ host: config.host, port: config.port });
      if (config.port === 0 && publicUrl.endsWith(':0')) {
        const candidate = `${publicUrl.slice(0, -2)}:${new URL(address).port}`;
        publicUrl = URL.canParse(candidate) ? candidate : address;
        ownOrigins.add(new URL(publicUrl).origin);
      }
      notifications.start();
      return address;
    },
    async close() {
      if (housekeeping !== null) clearInterval(housekeeping);
      if (paymentsUpkeep !== null) clearInterval(paymentsUpkeep);
      unwatchFile(config.masterKeyFile);
      await server.close();
      await control?.close();
      await watcher.stop();
      await usage.stop().catch((error: unknown) => logger.warn({ err: error }, 'last-used flush failed'));
      await notifications.stop();
      await core.close();
    },
  };
}
