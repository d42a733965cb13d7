import { resolve } from 'node:path';
import { assertValidBrand } from './domain/key-format.js';

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
}

export class ConfigError extends Error {}

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
  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
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
    publicUrl: (env.TESSERA_PUBLIC_URL ?? `http://${displayHost}:${port}`).replace(/\/$/, ''),
    logLevel: env.TESSERA_LOG_LEVEL ?? 'info',
    bodyLimitBytes: integer(env, 'TESSERA_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    usageFlushMs: integer(env, 'TESSERA_USAGE_FLUSH_MS', 5000, 10, 600_000),
    credentialCacheSize: integer(env, 'TESSERA_CREDENTIAL_CACHE_SIZE', 100_000, 100, 10_000_000),
    negativeCacheSize: integer(env, 'TESSERA_NEGATIVE_CACHE_SIZE', 50_000, 100, 10_000_000),
    negativeCacheTtlMs: integer(env, 'TESSERA_NEGATIVE_CACHE_TTL_MS', 60_000, 0, 3_600_000),
    idempotencyTtlHours: integer(env, 'TESSERA_IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 30),
  };
}
