// Load generator for figure 1, run in its own process (pinned to another CPU
// than the server). Alternates the unauthenticated and the protected route,
// swapping which goes first in every pair (ABBA) so that drift in the machine
// affects both sides alike. Beside throughput and latency it reads the
// server's CPU time (sum of /proc/PID/task/*/schedstat, ns) around every run:
// CPU per request is far steadier than throughput on a noisy VM.
// Prints one JSON document on stdout.
//
//   node bench/loadgen.js '{"url":"http://127.0.0.1:1234","key":"tsr_sk_…","serverPid":123,"connections":50,"pairs":10,"durationSec":2,"warmupSec":3}'
//   node bench/loadgen.js '{"mode":"single","route":"protected",…}'   (one autocannon run, for profiling)
import autocannon from 'autocannon';
import { timedLoad } from './lib/http-client.js';
import { summarize } from './lib/util.js';
import { processCpuNs } from './lib/process-cpu.js';

const options = JSON.parse(process.argv[2]);
const { url, key, serverPid, connections, pairs, durationSec, warmupSec, unloadedPairs = 0, unloadedSec = 1 } = options;
// A pair counts only if the server was the bottleneck in both autocannon runs
// (server CPU busy >= busyThreshold): on a shared VM some runs are throttled by
// the machine (or the load generator runs out of CPU), not by the code, and
// their throughput compares nothing.
const { busyThreshold = 0.9, minValidPairs = 0, maxPairs = pairs } = options;

const ROUTES = {
  open: { path: '/bench/open', headers: {} },
  protected: { path: '/bench/protected', headers: { authorization: `Bearer ${key}` } },
};

function cpuFields(before, after, requests, seconds) {
  if (before === null || after === null) return { cpuUsPerRequest: null, serverBusy: null };
  return { cpuUsPerRequest: (after - before) / 1000 / requests, serverBusy: (after - before) / 1e9 / seconds };
}

async function cannon(route, seconds) {
  const { path, headers } = ROUTES[route];
  const before = processCpuNs(serverPid);
  const r = await autocannon({ url: url + path, connections, duration: seconds, headers, pipelining: 1 });
  const after = processCpuNs(serverPid);
  const ok = r['2xx'];
  if (r.errors > 0 || r.timeouts > 0 || r.non2xx > 0) {
    throw new Error(`autocannon on ${path}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx of ${r.requests.total}`);
  }
  return { route, rps: ok / r.duration, requests: ok, durationSec: r.duration, p50Ms: r.latency.p50, p99Ms: r.latency.p99, maxMs: r.latency.max, ...cpuFields(before, after, ok, r.duration) };
}

let lastLatencies = null;

async function timed(route, seconds, conns = connections) {
  const { path, headers } = ROUTES[route];
  const before = processCpuNs(serverPid);
  const r = await timedLoad({ url, path, headers, connections: conns, durationMs: seconds * 1000 });
  const after = processCpuNs(serverPid);
  const bad = Object.entries(r.statuses).filter(([status]) => status !== '200');
  if (bad.length > 0 || r.errors > 0) throw new Error(`timing client on ${path}: statuses ${JSON.stringify(r.statuses)}, ${r.errors} errors`);
  lastLatencies = r.latenciesMs;
  return { route, rps: (r.completed * 1000) / r.elapsedMs, requests: r.completed, ...summarize(r.latenciesMs), ...cpuFields(before, after, r.completed, r.elapsedMs / 1000) };
}

function concat(arrays) {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

if (options.mode === 'single') {
  const result = await cannon(options.route, durationSec);
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

// Warm-up: JIT, the credential cache; not reported.
await cannon('open', warmupSec);
await cannon('protected', warmupSec);
await timed('open', 1);
await timed('protected', 1);

const results = [];
const pairLatencies = [];
let valid = 0;
for (let i = 0; i < maxPairs && (i < pairs || valid < minValidPairs); i++) {
  const order = i % 2 === 0 ? ['open', 'protected'] : ['protected', 'open'];
  const pair = { index: i, order, autocannon: {}, timed: {} };
  for (const route of order) pair.autocannon[route] = await cannon(route, durationSec);
  const latencies = {};
  for (const route of [...order].reverse()) {
    pair.timed[route] = await timed(route, durationSec);
    latencies[route] = lastLatencies;
  }
  pairLatencies.push(latencies);
  const minBusy = (runs) => (runs.some((r) => r.serverBusy === null) ? null : Math.min(...runs.map((r) => r.serverBusy)));
  pair.minBusy = minBusy([pair.autocannon.open, pair.autocannon.protected]);
  pair.timedMinBusy = minBusy([pair.timed.open, pair.timed.protected]);
  pair.saturated = pair.minBusy === null || pair.minBusy >= busyThreshold;
  if (pair.saturated) valid++;
  results.push(pair);
  const a = pair.autocannon;
  const t = pair.timed;
  process.stderr.write(
    `  pair ${String(i + 1).padStart(2)}: autocannon open ${Math.round(a.open.rps)} rps, protected ${Math.round(a.protected.rps)} rps (${((a.protected.rps / a.open.rps) * 100).toFixed(1)}%)` +
      (a.open.cpuUsPerRequest === null ? '' : `, server CPU ${a.open.cpuUsPerRequest.toFixed(1)} vs ${a.protected.cpuUsPerRequest.toFixed(1)} us/req, server busy ${(pair.minBusy * 100).toFixed(0)}%${pair.saturated ? '' : ' (not saturated: not counted)'} (timed ${(pair.timedMinBusy * 100).toFixed(0)}%)`) +
      `; timed p99 open ${t.open.p99.toFixed(3)} ms, protected ${t.protected.p99.toFixed(3)} ms\n`,
  );
}

function pool(selected) {
  const chosen = pairLatencies.filter((_, i) => selected[i]);
  return { open: summarize(concat(chosen.map((l) => l.open))), protected: summarize(concat(chosen.map((l) => l.protected))) };
}

// Unloaded latency: one connection, so no request waits behind another.
const unloaded = [];
for (let i = 0; i < unloadedPairs; i++) {
  const order = i % 2 === 0 ? ['open', 'protected'] : ['protected', 'open'];
  const pair = {};
  for (const route of order) pair[route] = await timed(route, unloadedSec, 1);
  unloaded.push(pair);
}

process.stdout.write(
  JSON.stringify({
    options: { connections, pairs, durationSec, warmupSec, unloadedPairs, unloadedSec, busyThreshold, minValidPairs, maxPairs },
    pairs: results,
    unloaded,
    pooled: pool(results.map((p) => p.saturated)),
    pooledAll: pool(results.map(() => true)),
  }),
);
