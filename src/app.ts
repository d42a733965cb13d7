import { unwatchFile, watchFile } from 'node:fs';
import { sql } from 'kysely';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';
import { loadMasterKeyring, reloadingUnsealer } from './crypto/master-key-file.js';
import type { MasterKeyring } from './crypto/master-key.js';
import { SlidingWindowRateLimiter } from './domain/rate-limiter.js';
import { redactionPaths } from './http/log-redaction.js';
import { Metrics } from './http/metrics.js';
import { requestEnvironmentResolver } from './http/request-environment.js';
import type { App } from './http/route-deps.js';
import { buildServer } from './http/server.js';
import { AccountService } from './services/account-service.js';
import type { Unsealer } from './services/auth-entry.js';
import { AuditLogService } from './services/audit-log.js';
import { Authenticator } from './services/authenticator.js';
import { ensureOperator, type BootstrapResult } from './services/bootstrap.js';
import { ChangeWatcher } from './services/change-watcher.js';
import { nudgeServers, startControlSocket } from './services/control-socket.js';
import { IdempotencyService } from './services/idempotency.js';
import { KeyService } from './services/key-service.js';
import { MemoryReplayCache } from './services/replay-cache.js';
import { UsageRecorder } from './services/usage-recorder.js';
import type { ReplayGuard } from './domain/signatures/http-message-signature.js';
import { openDatabase, type OpenedDatabase } from './storage/database.js';
import { migrateToLatest } from './storage/migrator.js';
import { Store } from './storage/store.js';

export interface TesseraOptions {
  config: Config;
  /** Where logs go; stdout by default. Tests capture them here. */
  logStream?: DestinationStream;
  /** The clock; tests freeze it. */
  now?: () => number;
}

export function createLogger(config: Config, stream?: DestinationStream): Logger {
  const options = { level: config.logLevel, redact: { paths: redactionPaths(config.apiKeyHeaders), censor: '[redacted]' } };
  return stream === undefined ? pino(options) : pino(options, stream);
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
  now: () => number;
  close(): Promise<void>;
}

export async function openCore(options: TesseraOptions & { onCredentialChanged: (id: string) => void | Promise<void>; createMasterKey: boolean }): Promise<Core> {
  const { config } = options;
  const now = options.now ?? Date.now;
  const logger = createLogger(config, options.logStream);
  const { keyring, generatedFile } = loadMasterKeyring({ envValue: config.masterKey, filePath: config.masterKeyFile, createIfMissing: options.createMasterKey });
  const opened = openDatabase(config);
  try {
    await migrateToLatest(opened);
  } catch (error) {
    await opened.close();
    throw error;
  }
  const store = new Store(opened.db, opened.dialect);
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
    keys: new KeyService(store, config.brand, keyring, { credentialChanged: options.onCredentialChanged }, now),
    auditLog: new AuditLogService(store),
    now,
    close: () => opened.close(),
  };
}

/** The authenticator over this core's storage; the server's and the CLI's `verify` are built alike. */
export function createAuthenticator(core: Core, usage: UsageRecorder, replay: ReplayGuard): Authenticator {
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
    now: core.now,
  });
}

export interface Tessera {
  core: Core;
  server: App;
  authenticator: Authenticator;
  bootstrap: BootstrapResult;
  usage: UsageRecorder;
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
  const usage = new UsageRecorder((samples) => store.transaction((tx) => tx.credentials.recordUsage(samples)));
  const replay = new MemoryReplayCache(1_000_000, () => Math.floor(now() / 1000));
  authenticator = createAuthenticator(core, usage, replay);
  const auth = authenticator;
  const bootstrap = await ensureOperator(store, core.keys, now);
  const watcher = new ChangeWatcher(core.opened, store.credentialChanges, (id) => auth.invalidate(id), (error) => logger.warn({ err: error }, 'credential change feed'));
  const idempotency = new IdempotencyService(store, core.keyring, core.unseal, config.idempotencyTtlHours * 3600_000, now);
  const metrics = new Metrics(() => auth.outcomeCounts());
  const server = await buildServer({
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    brand: config.brand,
    publicUrl: config.publicUrl,
    authentication: {
      authenticator: auth,
      extraHeaders: config.apiKeyHeaders,
      environmentOf: requestEnvironmentResolver(config.sandboxHosts, config.liveHosts),
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
      accounts: core.accounts,
      keys: core.keys,
      auditLog: core.auditLog,
      authenticator: auth,
      metrics,
      now,
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
  return {
    core,
    server,
    authenticator: auth,
    bootstrap,
    usage,
    async listen() {
      await watcher.start();
      control = await startControlSocket(config.dataDir, async (command) => (command === 'sync' ? watcher.sync() : core.reloadKeyring()));
      // Seal with a rotated master key soon even without a nudge (another folder sharing the key file).
      if (config.masterKey === undefined) watchFile(config.masterKeyFile, { interval: 2000, persistent: false }, () => core.reloadKeyring());
      usage.start(config.usageFlushMs, (error) => logger.warn({ err: error }, 'last-used flush failed'));
      housekeeping = setInterval(() => {
        idempotency.prune().catch((error: unknown) => logger.warn({ err: error }, 'idempotency prune failed'));
        store.credentialChanges.pruneBefore(now() - 3600_000).catch((error: unknown) => logger.warn({ err: error }, 'change feed prune failed'));
      }, 600_000);
      housekeeping.unref();
      const address = await server.listen({ host: config.host, port: config.port });
      return address;
    },
    async close() {
      if (housekeeping !== null) clearInterval(housekeeping);
      unwatchFile(config.masterKeyFile);
      await server.close();
      await control?.close();
      await watcher.stop();
      await usage.stop().catch((error: unknown) => logger.warn({ err: error }, 'last-used flush failed'));
      await core.close();
    },
  };
}
