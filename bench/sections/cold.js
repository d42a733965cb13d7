// Figure 4: authentication of keys that are not in the cache, against 1M
// credentials, on SQLite and PostgreSQL.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openCore } from '../../dist/app.js';
import { loadConfig } from '../../dist/config.js';
import { seedPostgres, seedSqlite } from '../lib/seed.js';
import { log, removeDir, runProcess, tempDir } from '../lib/util.js';

/** Distinct random indexes below `n` (partial Fisher-Yates over a sparse map). */
export function sampleIndexes(n, k) {
  const swapped = new Map();
  const out = new Array(k);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(Math.random() * (n - i));
    out[i] = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
  }
  return out;
}

const CHILD = fileURLToPath(new URL('../cold-child.js', import.meta.url));

/** Runs the measurement in bench/cold-child.js with only the sampled secrets. */
async function measure(env, keys, indexes, { warmup, sample, concurrency }, workDir) {
  const pick = (list) => list.map((i) => keys.secrets[i]);
  const spec = {
    env,
    warmup: pick(indexes.slice(0, warmup)),
    sample: pick(indexes.slice(warmup, warmup + sample)),
    concurrent: pick(indexes.slice(warmup + sample)),
    concurrency,
  };
  const specFile = join(workDir, 'cold-spec.json');
  writeFileSync(specFile, JSON.stringify(spec));
  const { stdout } = await runProcess(process.execPath, [CHILD, specFile]);
  return JSON.parse(stdout);
}

export async function coldVerifySqlite(keys, { sample, concurrentSample, warmup, concurrency }) {
  const dataDir = tempDir('tessera-bench-cold-sqlite-');
  try {
    const config = loadConfig({ TESSERA_DATA_DIR: dataDir });
    const migrated = await openCore({ config, createMasterKey: true, onCredentialChanged: () => {} });
    await migrated.close();
    const file = join(dataDir, 'tessera.sqlite');
    let t = performance.now();
    seedSqlite(file, keys);
    const seedSec = (performance.now() - t) / 1000;
    log(`figure 4 SQLite: ${keys.count.toLocaleString('en-US')} credentials loaded in ${seedSec.toFixed(1)} s`);
    const indexes = sampleIndexes(keys.count, warmup + sample + concurrentSample);
    t = performance.now();
    const result = await measure({ TESSERA_DATA_DIR: dataDir }, keys, indexes, { warmup, sample, concurrency }, dataDir);
    return { ...result, seedSec, measureSec: (performance.now() - t) / 1000, size: statSync(file).size, describe: result.describe.replace(dataDir, '<tmp>') };
  } finally {
    removeDir(dataDir);
  }
}

export async function coldVerifyPostgres(keys, postgres, { sample, concurrentSample, warmup, concurrency }) {
  const dataDir = tempDir('tessera-bench-cold-pg-');
  const database = await postgres.createDatabase('tessera_bench_cold');
  try {
    const config = loadConfig({ TESSERA_DATA_DIR: dataDir, DATABASE_URL: database.url });
    const migrated = await openCore({ config, createMasterKey: true, onCredentialChanged: () => {} });
    await migrated.close();
    let t = performance.now();
    await seedPostgres(database.url, keys);
    const seedSec = (performance.now() - t) / 1000;
    log(`figure 4 PostgreSQL: ${keys.count.toLocaleString('en-US')} credentials loaded in ${seedSec.toFixed(1)} s`);
    const size = await databaseSize(database.url);
    const indexes = sampleIndexes(keys.count, warmup + sample + concurrentSample);
    t = performance.now();
    const result = await measure({ TESSERA_DATA_DIR: dataDir, DATABASE_URL: database.url }, keys, indexes, { warmup, sample, concurrency }, dataDir);
    return { ...result, seedSec, measureSec: (performance.now() - t) / 1000, size, describe: `${result.describe}, pool of 10` };
  } finally {
    await database.drop().catch(() => {});
    removeDir(dataDir);
  }
}

async function databaseSize(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query('SELECT pg_database_size(current_database()) AS n')).rows[0].n);
  } finally {
    await client.end();
  }
}
