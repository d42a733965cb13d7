// `npm run bench`: builds (through npm), runs every figure, writes BENCHMARKS.md.
//
// Options (environment variables; the defaults keep the run under ~10 minutes on 2 cores):
//   BENCH_ONLY=http,verify,negative,cold,disable,webhooks,oauth,signatures   run some figures only
//   BENCH_CONNECTIONS=50  BENCH_PAIRS=10  BENCH_DURATION=2  BENCH_WARMUP=3     figure 1
//   BENCH_MIN_SATURATED_PAIRS=8  BENCH_MAX_PAIRS=24                           figure 1: pairs are added until this many ran with the server saturated
//   BENCH_UNLOADED_PAIRS=6                                                    figure 1, 1-connection latency
//   BENCH_HTTP_REFERENCE_ROUNDS=24                                            figure 1, rounds of the bare SHA-256 + Map check reference
//   BENCH_VERIFY_KEYS=4000  BENCH_VERIFY_ROUNDS=9  BENCH_VERIFY_MS=400         figure 2
//   BENCH_NEGATIVE_N=1000                                                     figure 3
//   BENCH_KEYS=1000000  BENCH_SAMPLE=20000  BENCH_CONCURRENT_SAMPLE=10000      figure 4
//   BENCH_DISABLE_TRIALS=5                                                    figure 5
//   BENCH_WEBHOOK_DELIVERIES=5000                                             figure 6
//   BENCH_OAUTH_ROUNDS=6  BENCH_OAUTH_PAIRS=6  BENCH_OAUTH_DURATION=2          figures 7 and 8 (OAuth: token endpoint vs oidc-provider, token vs key)
//   BENCH_SIGNATURE_PAIRS=6  BENCH_SIGNATURE_DURATION=2                        figure 9 (signed requests, IP allowlist)
//   BENCH_PROFILE=auto|always|never   CPU profile of the server when figure 1 or 2 misses (auto)
//   BENCH_SKIP_POSTGRES=1             SQLite only (the report says PostgreSQL was skipped)
//   BENCH_OUTPUT=BENCHMARKS.md
//   DATABASE_URL=…                    use this PostgreSQL server instead of a throwaway cluster
//   BENCH_NO_SNAPSHOT=1               run from dist/ in place (by default a copy of dist/, bin/ and bench/ is
//                                     taken first, so that a rebuild during the run can't mix two builds)
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReport } from './lib/report.js';
import { profileRoutes } from './lib/profile.js';
import { startPostgres } from './lib/postgres.js';
import { generateKeys } from './lib/seed.js';
import { installCleanup, log, machineInfo, tasksetWorks } from './lib/util.js';
import { coldVerifyPostgres, coldVerifySqlite } from './sections/cold.js';
import { disablePropagation } from './sections/disable.js';
import { httpOverhead } from './sections/http.js';
import { negativeCaching } from './sections/negative.js';
import { inProcessVerify } from './sections/verify.js';
import { webhookThroughput } from './sections/webhooks.js';
import { oauthTokenThroughput, oauthTokenVerify } from './sections/oauth.js';
import { signedRequests } from './sections/signatures.js';

// Run from a snapshot of this build: `npm test` (and anyone else) rebuilds dist/
// in place, and a figure must not load half of one build and half of another.
const ownRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = process.env.BENCH_SNAPSHOT_OF ?? ownRoot;
if (process.env.BENCH_SNAPSHOT_OF === undefined && process.env.BENCH_NO_SNAPSHOT !== '1') {
  const snapshot = mkdtempSync(join(tmpdir(), 'tessera-bench-snapshot-'));
  const removeSnapshot = () => rmSync(snapshot, { recursive: true, force: true });
  process.on('exit', removeSnapshot);
  for (const dir of ['dist', 'bin', 'bench']) cpSync(join(ownRoot, dir), join(snapshot, dir), { recursive: true });
  copyFileSync(join(ownRoot, 'package.json'), join(snapshot, 'package.json'));
  symlinkSync(join(ownRoot, 'node_modules'), join(snapshot, 'node_modules'), 'dir');
  const child = spawn(process.execPath, [join(snapshot, 'bench', 'run.js'), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, BENCH_SNAPSHOT_OF: ownRoot } });
  // Ctrl-C reaches the child too (same process group); it cleans up after itself.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main();
}

async function main() {
  installCleanup();

  const env = process.env;
  const int = (name, fallback) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
    return value;
  };

  const settings = {
    only: new Set((env.BENCH_ONLY ?? 'http,verify,negative,cold,disable,webhooks,oauth,signatures').split(',').map((s) => s.trim()).filter(Boolean)),
    http: { connections: int('BENCH_CONNECTIONS', 50), referenceRounds: int('BENCH_HTTP_REFERENCE_ROUNDS', 24), pairs: int('BENCH_PAIRS', 10), minValidPairs: int('BENCH_MIN_SATURATED_PAIRS', 8), maxPairs: int('BENCH_MAX_PAIRS', 24), busyThreshold: 0.9, durationSec: int('BENCH_DURATION', 2), warmupSec: int('BENCH_WARMUP', 3), unloadedPairs: int('BENCH_UNLOADED_PAIRS', 6), unloadedSec: 1 },
    verify: { keyCount: int('BENCH_VERIFY_KEYS', 4000), rounds: int('BENCH_VERIFY_ROUNDS', 9), roundMs: int('BENCH_VERIFY_MS', 400) },
    negative: { n: int('BENCH_NEGATIVE_N', 1000) },
    cold: { keys: int('BENCH_KEYS', 1_000_000), sample: int('BENCH_SAMPLE', 20_000), concurrentSample: int('BENCH_CONCURRENT_SAMPLE', 10_000), warmup: 500, concurrency: 10 },
    disable: { trials: int('BENCH_DISABLE_TRIALS', 5) },
    webhooks: { deliveries: int('BENCH_WEBHOOK_DELIVERIES', 5000), endpoints: [1, 8] },
    signatures: { connections: int('BENCH_CONNECTIONS', 50), pairs: int('BENCH_SIGNATURE_PAIRS', 6), durationSec: int('BENCH_SIGNATURE_DURATION', 2), warmupSec: 1 },
    oauth: { connections: int('BENCH_CONNECTIONS', 50), rounds: int('BENCH_OAUTH_ROUNDS', 6), pairs: int('BENCH_OAUTH_PAIRS', 6), durationSec: int('BENCH_OAUTH_DURATION', 2), warmupSec: 2, profile: env.BENCH_PROFILE ?? 'auto' },
    profile: env.BENCH_PROFILE ?? 'auto',
    skipPostgres: env.BENCH_SKIP_POSTGRES === '1',
    output: resolve(repoRoot, env.BENCH_OUTPUT ?? 'BENCHMARKS.md'),
  };
  if (settings.http.pairs < 5) throw new Error('BENCH_PAIRS must be at least 5');
  if (settings.http.minValidPairs < 5) throw new Error('BENCH_MIN_SATURATED_PAIRS must be at least 5');

  function commandLine() {
    const overrides = Object.keys(env)
      .filter((k) => k.startsWith('BENCH_') && k !== 'BENCH_SNAPSHOT_OF')
      .sort()
      .map((k) => `${k}=${env[k]}`);
    if (env.DATABASE_URL) overrides.push('DATABASE_URL=<set>');
    const base = env.npm_lifecycle_event === 'bench' ? 'npm run bench' : `node bench/run.js${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
    return [...overrides, base].join(' ');
  }

  function gitDescription() {
    try {
      const root = repoRoot;
      const commit = execFileSync('git', ['-C', root, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).trim();
      const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim();
      return `${commit}${dirty === '' ? '' : ' (with uncommitted changes under src/)'}`;
    } catch {
      return 'unknown (not a git checkout)';
    }
  }

  function loadAverage() {
    try {
      return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    } catch {
      return 'n/a';
    }
  }

  const startedAt = new Date();
  const results = { command: commandLine(), commit: gitDescription(), loadAtStart: loadAverage(), startedAt, machine: machineInfo(), pinned: tasksetWorks(), settings, sections: {}, errors: [] };

  if (Number(results.loadAtStart.split(' ')[0]) > 0.5) {
    log(`warning: load average ${results.loadAtStart} at start: something else is using the CPUs, figures will be noisier`);
  }

  async function section(name, work) {
    const t = performance.now();
    log(`${name}: start`);
    try {
      const value = await work();
      results.sections[name] = { ok: true, value, seconds: (performance.now() - t) / 1000 };
    } catch (error) {
      if (error instanceof Skipped) {
        log(`${name}: ${error.message}`);
        results.sections[name] = { ok: false, skipped: true, error: error.message, seconds: (performance.now() - t) / 1000 };
        return;
      }
      const message = error?.stack ?? String(error);
      process.stderr.write(`\n*** ${name} FAILED: ${message}\n\n`);
      results.sections[name] = { ok: false, error: error?.message ?? String(error), seconds: (performance.now() - t) / 1000 };
      results.errors.push(name);
    }
    log(`${name}: done in ${results.sections[name].seconds.toFixed(1)} s`);
  }

  class Skipped extends Error {}

  let postgres = null;
  async function needPostgres() {
    if (settings.skipPostgres) throw new Skipped('skipped: BENCH_SKIP_POSTGRES=1');
    postgres ??= await startPostgres();
    return postgres;
  }

  try {
    if (settings.only.has('http')) await section('http', () => httpOverhead(settings.http));
    if (settings.only.has('verify')) await section('verify', () => inProcessVerify(settings.verify));
    const httpMissed = results.sections.http?.ok && (results.sections.http.value.ratio < 0.93 || results.sections.http.value.p99Delta > 0.3);
    const verifyMissed = results.sections.verify?.ok && results.sections.verify.value.ratio < 0.6;
    if (settings.profile === 'always' || (settings.profile === 'auto' && (httpMissed || verifyMissed))) {
      await section('profile', () => profileRoutes({ connections: settings.http.connections, durationSec: 3, rounds: 4 }));
    }
    if (settings.only.has('negative')) await section('negative', () => negativeCaching(settings.negative));
    if (settings.only.has('cold')) {
      let keys = null;
      const getKeys = () => {
        if (keys === null) {
          const t = performance.now();
          keys = generateKeys(settings.cold.keys);
          log(`figure 4: generated ${settings.cold.keys.toLocaleString('en-US')} keys in ${((performance.now() - t) / 1000).toFixed(1)} s`);
        }
        return keys;
      };
      await section('coldSqlite', () => coldVerifySqlite(getKeys(), settings.cold));
      await section('coldPostgres', async () => coldVerifyPostgres(getKeys(), await needPostgres(), settings.cold));
      keys = null;
    }
    if (settings.only.has('disable')) {
      await section('disableSqlite', () => disablePropagation({ label: 'SQLite', trials: settings.disable.trials }));
      await section('disablePostgres', async () => {
        const pg = await needPostgres();
        const database = await pg.createDatabase('tessera_bench_disable');
        try {
          return await disablePropagation({ label: 'PostgreSQL', databaseUrl: database.url, trials: settings.disable.trials });
        } finally {
          await database.drop().catch(() => {});
        }
      });
    }
    if (settings.only.has('webhooks')) {
      const { deliveries, endpoints } = settings.webhooks;
      await section('webhooksSqlite', async () => {
        const runs = [];
        for (const n of endpoints) runs.push(await webhookThroughput({ label: 'SQLite', deliveries, endpoints: n }));
        return runs;
      });
      await section('webhooksPostgres', async () => {
        const pg = await needPostgres();
        const runs = [];
        for (const n of endpoints) {
          const database = await pg.createDatabase(`tessera_bench_webhooks_${n}`);
          try {
            runs.push(await webhookThroughput({ label: 'PostgreSQL', databaseUrl: database.url, deliveries, endpoints: n }));
          } finally {
            await database.drop().catch(() => {});
          }
        }
        return runs;
      });
    }
    if (settings.only.has('signatures')) await section('signatures', () => signedRequests(settings.signatures));
    if (settings.only.has('oauth')) {
      await section('oauthToken', () => oauthTokenThroughput(settings.oauth));
      await section('oauthVerify', () => oauthTokenVerify(settings.oauth));
    }
  } finally {
    if (postgres !== null) {
      log('stopping PostgreSQL');
      postgres.stop();
      results.postgres = { describe: postgres.describe, version: postgres.version };
    }
  }

  results.finishedAt = new Date();
  results.loadAtEnd = loadAverage();
  const report = renderReport(results);
  writeFileSync(settings.output, report);
  log(`wrote ${settings.output} (${((results.finishedAt - startedAt) / 1000).toFixed(0)} s in all)`);
  const summaryAt = report.indexOf('## Summary');
  process.stdout.write(`\n${report.slice(summaryAt, report.indexOf('\n## ', summaryAt + 3))}\n`);
  if (results.errors.length > 0) {
    process.stderr.write(`\nbench: ${results.errors.length} figure(s) failed: ${results.errors.join(', ')} (see above and ${settings.output})\n`);
    process.exitCode = 1;
  }
}
