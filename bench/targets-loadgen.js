// Load generator for the OAuth figures and figure 1's reference, in its own process (pinned to another
// CPU than the servers): autocannon against several targets (each a request on
// some server process), round after round, the order rotated every round and
// reversed every other one, so that drift in the machine hits every target
// alike. Beside throughput it reads each target server's CPU time around every
// run (/proc/PID/task/*/schedstat), like bench/loadgen.js. Prints one JSON
// document on stdout.
//
//   node bench/targets-loadgen.js '{"targets":[{"name":"a","url":"http://…","method":"POST","headers":{…},"body":"…","serverPid":1}],"connections":50,"rounds":6,"durationSec":2,"warmupSec":2}'
import autocannon from 'autocannon';
import { processCpuNs } from './lib/process-cpu.js';

const { targets, connections, rounds, durationSec, warmupSec } = JSON.parse(process.argv[2]);

async function cannon(target, seconds) {
  const before = processCpuNs(target.serverPid);
  const r = await autocannon({ url: target.url, method: target.method ?? 'GET', headers: target.headers ?? {}, ...(target.body !== undefined && { body: target.body }), connections, duration: seconds, pipelining: 1 });
  const after = processCpuNs(target.serverPid);
  const ok = r['2xx'];
  if (r.errors > 0 || r.timeouts > 0 || r.non2xx > 0) throw new Error(`autocannon on ${target.name}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx of ${r.requests.total}`);
  const cpu = before === null || after === null ? { cpuUsPerRequest: null, serverBusy: null } : { cpuUsPerRequest: (after - before) / 1000 / ok, serverBusy: (after - before) / 1e9 / r.duration };
  return { name: target.name, rps: ok / r.duration, requests: ok, durationSec: r.duration, p50Ms: r.latency.p50, p99Ms: r.latency.p99, ...cpu };
}

for (const target of targets) await cannon(target, warmupSec);

const results = [];
for (let round = 0; round < rounds; round++) {
  const rotated = [...targets.slice(round % targets.length), ...targets.slice(0, round % targets.length)];
  const order = Math.floor(round / targets.length) % 2 === 0 ? rotated : rotated.reverse();
  const runs = {};
  for (const target of order) runs[target.name] = await cannon(target, durationSec);
  results.push({ round, order: order.map((t) => t.name), runs });
  process.stderr.write(`  round ${String(round + 1).padStart(2)}: ${order.map((t) => `${t.name} ${Math.round(runs[t.name].rps)} req/s${runs[t.name].cpuUsPerRequest === null ? '' : ` (${runs[t.name].cpuUsPerRequest.toFixed(1)} us CPU/req, busy ${(runs[t.name].serverBusy * 100).toFixed(0)}%)`}`).join(', ')}\n`);
}

process.stdout.write(JSON.stringify({ options: { connections, rounds, durationSec, warmupSec, targets: targets.map((t) => t.name) }, rounds: results }));
