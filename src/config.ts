import { resolve } from 'node:path';
import { ENVIRONMENTS, isEnvironment, type Environment } from './domain/environment.js';
import { normalizeAllowedIps } from './domain/ip-allowlist.js';
import { assertValidBrand } from './domain/key-format.js';
import { SANDBOX_TARGETS, type SandboxTargets } from './domain/webhook-url.js';

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  /** PostgreSQL connection string; the embedded SQLite database when absent. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  masterKey: string | undefined;
  masterKeyFile: string;
  brand: string;
  /** Extra request headers that may carry an API key, lower-cased (Ozura's X-OZURA-API-KEY). */
  apiKeyHeaders: string[];
  /** Host names that pin a request to an environment; empty means none. */
  sandboxHosts: string[];
  liveHosts: string[];
  publicUrl: string;
  logLevel: string;
  bodyLimitBytes: number;
  /** How often batched last-used times are written, in ms. */
  usageFlushMs: number;
  /** Positive cache capacity (credentials) and negative cache capacity (unknown digests). */
  credentialCacheSize: number;
  negativeCacheSize: number;
  negativeCacheTtlMs: number;
  idempotencyTtlHours: number;
  /** RFC 9421 `created` must be within this many seconds of the server's clock. */
  signatureToleranceSeconds: number;
  /** Proxies whose X-Forwarded-For/-Proto/-Host are believed (CIDRs); empty trusts none. */
  trustedProxies: string[];
  tls: { certFile: string; keyFile: string } | null;
  /** Environments where plain HTTP is refused. */
  httpsRequired: Environment[];
  /** Disable (and audit) a valid key that arrived over plain HTTP where HTTPS is required. */
  disableKeysSentOverHttp: boolean;
  twoCredentialRoutes: TwoCredentialRoute[];
  /** Notifications: the delivery worker, its limits, SSRF rules, expiry notices, retention. */
  webhooks: WebhookSettings;
  /** Largest amount a payment, refund, cashout or deposit may have, in minor units of its currency. */
  maxAmount: number;
  /** The dashboard: session lifetimes, invitation links, sign-in throttling. */
  dashboard: {
    sessionTtlMs: number;
    sessionIdleMs: number;
    invitationTtlMs: number;
    signInPerIpPerMinute: number;
    signInFailuresPerEmail: number;
  };
  oauth: {
    /** `iss` of access tokens and the metadata's issuer. */
    issuer: string;
    /** `aud` of access tokens: this API. */
    audience: string;
    defaultTokenLifetimeSeconds: number;
    maxTokenLifetimeSeconds: number;
  };
}

/** A route that needs two credentials at once (Ozura: vault key and merchant key). */
export interface TwoCredentialRoute {
  method: string;
  url: string;
  credentials: { header: string; kind: 'secret' | 'restricted' | 'publishable' }[];
}

export class ConfigError extends Error {}

export interface WebhookSettings {
  /** Run the delivery worker and the key expiry sweep in this process. */
  worker: boolean;
  timeoutMs: number;
  concurrency: number;
  endpointConcurrency: number;
  pollMs: number;
  disableAfterHours: number;
  sandboxTargets: SandboxTargets;
  keyExpiryNoticeHours: number;
  eventRetentionDays: number;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} must be an integer from ${min} to ${max}`);
  }
  return value;
}

const HEADER_NAME = /^[a-z0-9-]+$/;

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name}=${raw} must be true or false`);
}

function httpsRequired(env: NodeJS.ProcessEnv): Environment[] {
  const raw = env.TESSERA_HTTPS_REQUIRED;
  if (raw === undefined || raw === '') return ['live'];
  if (raw === 'none') return [];
  const values = list(raw);
  for (const v of values) if (!isEnvironment(v)) throw new ConfigError(`TESSERA_HTTPS_REQUIRED: "${v}" must be ${ENVIRONMENTS.join(', ')} or none`);
  return values as Environment[];
}

function trustedProxies(env: NodeJS.ProcessEnv): string[] {
  const result = normalizeAllowedIps(list(env.TESSERA_TRUSTED_PROXIES));
  if (!result.ok) throw new ConfigError(`TESSERA_TRUSTED_PROXIES: ${result.message}`);
  return result.cidrs;
}

function twoCredentialRoutes(env: NodeJS.ProcessEnv): TwoCredentialRoute[] {
  const raw = env.TESSERA_TWO_CREDENTIAL_ROUTES;
  if (raw === undefined || raw.trim() === '') return [];
  const usage = 'TESSERA_TWO_CREDENTIAL_ROUTES must be JSON like [{"method":"POST","url":"/v1/...","credentials":[{"header":"x-api-key","kind":"secret"},{"header":"x-ozura-api-key","kind":"secret"}]}]';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(usage);
  }
  if (!Array.isArray(parsed)) throw new ConfigError(usage);
  return parsed.map((route: Partial<TwoCredentialRoute>) => {
    const credentials = route.credentials;
    if (typeof route.method !== 'string' || typeof route.url !== 'string' || !Array.isArray(credentials) || credentials.length !== 2) throw new ConfigError(usage);
    for (const c of credentials) {
      if (typeof c?.header !== 'string' || !HEADER_NAME.test(c.header.toLowerCase()) || !['secret', 'restricted', 'publishable'].includes(c.kind)) throw new ConfigError(usage);
    }
    return { method: route.method.toUpperCase(), url: route.url, credentials: credentials.map((c) => ({ header: c.header.toLowerCase(), kind: c.kind })) };
  });
}

function tls(env: NodeJS.ProcessEnv): Config['tls'] {
  const certFile = env.TESSERA_TLS_CERT_FILE;
  const keyFile = env.TESSERA_TLS_KEY_FILE;
  if (!certFile && !keyFile) return null;
  if (!certFile || !keyFile) throw new ConfigError('TESSERA_TLS_CERT_FILE and TESSERA_TLS_KEY_FILE go together: set both to serve HTTPS');
  return { certFile: resolve(certFile), keyFile: resolve(keyFile) };
}

function oauthSettings(env: NodeJS.ProcessEnv, publicUrl: string): Config['oauth'] {
  const maxTokenLifetimeSeconds = integer(env, 'TESSERA_OAUTH_MAX_TOKEN_LIFETIME_SECONDS', 3600, 60, 86_400);
  const defaultTokenLifetimeSeconds = integer(env, 'TESSERA_OAUTH_TOKEN_LIFETIME_SECONDS', 900, 60, 86_400);
  if (defaultTokenLifetimeSeconds > maxTokenLifetimeSeconds) throw new ConfigError('TESSERA_OAUTH_TOKEN_LIFETIME_SECONDS must not exceed TESSERA_OAUTH_MAX_TOKEN_LIFETIME_SECONDS');
  const issuer = (env.TESSERA_OAUTH_ISSUER ?? publicUrl).replace(/\/$/, '');
  return { issuer, audience: env.TESSERA_OAUTH_AUDIENCE ?? `${issuer}/v1`, defaultTokenLifetimeSeconds, maxTokenLifetimeSeconds };
}

function webhookSettings(env: NodeJS.ProcessEnv): WebhookSettings {
  const sandboxTargets = env.TESSERA_WEBHOOK_SANDBOX_TARGETS || 'loopback';
  if (!(SANDBOX_TARGETS as readonly string[]).includes(sandboxTargets)) throw new ConfigError(`TESSERA_WEBHOOK_SANDBOX_TARGETS=${sandboxTargets} must be ${SANDBOX_TARGETS.join(', ')}`);
  return {
    worker: flag(env, 'TESSERA_WEBHOOK_WORKER', true),
    timeoutMs: integer(env, 'TESSERA_WEBHOOK_TIMEOUT_MS', 15_000, 100, 60_000),
    concurrency: integer(env, 'TESSERA_WEBHOOK_CONCURRENCY', 64, 1, 1024),
    endpointConcurrency: integer(env, 'TESSERA_WEBHOOK_ENDPOINT_CONCURRENCY', 16, 1, 256),
    pollMs: integer(env, 'TESSERA_WEBHOOK_POLL_MS', 250, 10, 60_000),
    disableAfterHours: integer(env, 'TESSERA_WEBHOOK_DISABLE_AFTER_HOURS', 120, 1, 8760),
    sandboxTargets: sandboxTargets as SandboxTargets,
    keyExpiryNoticeHours: integer(env, 'TESSERA_KEY_EXPIRY_NOTICE_HOURS', 168, 1, 8760),
    eventRetentionDays: integer(env, 'TESSERA_EVENT_RETENTION_DAYS', 30, 1, 3650),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env.TESSERA_DATA_DIR ?? './data');
  const host = env.HOST ?? '127.0.0.1';
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const brand = env.TESSERA_BRAND ?? 'tsr';
  try {
    assertValidBrand(brand);
  } catch (error) {
    throw new ConfigError(`TESSERA_BRAND: ${(error as Error).message}`);
  }
  const apiKeyHeaders = list(env.TESSERA_API_KEY_HEADERS);
  for (const name of apiKeyHeaders) {
    if (!HEADER_NAME.test(name)) throw new ConfigError(`TESSERA_API_KEY_HEADERS: "${name}" is not a valid header name`);
  }
  // An IPv6 address goes in brackets in a URL (http://[::1]:8080), or the public URL is not one.
  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const tlsFiles = tls(env);
  const publicUrl = (env.TESSERA_PUBLIC_URL ?? `${tlsFiles === null ? 'http' : 'https'}://${displayHost}:${port}`).replace(/\/$/, '');
  return {
    dataDir,
    host,
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    masterKey: env.TESSERA_MASTER_KEY || undefined,
    masterKeyFile: resolve(env.TESSERA_MASTER_KEY_FILE ?? `${dataDir}/master.key`),
    brand,
    apiKeyHeaders,
    sandboxHosts: list(env.TESSERA_SANDBOX_HOSTS),
    liveHosts: list(env.TESSERA_LIVE_HOSTS),
    publicUrl,
    logLevel: env.TESSERA_LOG_LEVEL ?? 'info',
    bodyLimitBytes: integer(env, 'TESSERA_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    usageFlushMs: integer(env, 'TESSERA_USAGE_FLUSH_MS', 5000, 10, 600_000),
    credentialCacheSize: integer(env, 'TESSERA_CREDENTIAL_CACHE_SIZE', 100_000, 100, 10_000_000),
    negativeCacheSize: integer(env, 'TESSERA_NEGATIVE_CACHE_SIZE', 50_000, 100, 10_000_000),
    negativeCacheTtlMs: integer(env, 'TESSERA_NEGATIVE_CACHE_TTL_MS', 60_000, 0, 3_600_000),
    idempotencyTtlHours: integer(env, 'TESSERA_IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 30),
    signatureToleranceSeconds: integer(env, 'TESSERA_SIGNATURE_TOLERANCE_SECONDS', 300, 1, 3600),
    trustedProxies: trustedProxies(env),
    tls: tlsFiles,
    httpsRequired: httpsRequired(env),
    disableKeysSentOverHttp: flag(env, 'TESSERA_DISABLE_KEYS_SENT_OVER_HTTP', false),
    twoCredentialRoutes: twoCredentialRoutes(env),
    webhooks: webhookSettings(env),
    maxAmount: integer(env, 'TESSERA_MAX_AMOUNT', 99_999_999, 1, Number.MAX_SAFE_INTEGER),
    oauth: oauthSettings(env, publicUrl),
    dashboard: {
      sessionTtlMs: integer(env, 'TESSERA_SESSION_TTL_HOURS', 12, 1, 24 * 30) * 3600_000,
      sessionIdleMs: integer(env, 'TESSERA_SESSION_IDLE_MINUTES', 30, 1, 24 * 60) * 60_000,
      invitationTtlMs: integer(env, 'TESSERA_INVITATION_TTL_HOURS', 168, 1, 24 * 30) * 3600_000,
      signInPerIpPerMinute: integer(env, 'TESSERA_SIGN_IN_LIMIT_PER_IP', 10, 1, 10_000),
      signInFailuresPerEmail: integer(env, 'TESSERA_SIGN_IN_LIMIT_PER_EMAIL', 5, 1, 1000),
    },
  };
}
