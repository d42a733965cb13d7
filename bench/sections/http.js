// Figure 1: protected GET with a valid key vs the same handler without
// authentication, same server process, alternated pairs.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../lib/server.js';
import { log, median, medianInterval, pinned, removeDir, runProcess, tempDir } from '../lib/util.js';

const LOADGEN = fileURLToPath(new URL('../loadgen.js', import.meta.url));
const TARGETS_LOADGEN = fileURLToPath(new URL('../targets-loadgen.js', import.meta.url));

/** Figure 1a's target: the protected GET at this fraction of the open GET's throughput. */
export const PROTECTED_GET_TARGET = 0.93;

/**
 * The yardstick, measured here rather than quoted: the same handler
 * behind an onRequest hook doing only SHA-256 of the key and a Map look-up
 * (`/bench/bare-check` in server-child.js), against the open route and
 * Tessera's protected route, in rotated rounds on the same server.
 */
async function bareCheckReference(server, { connections, rounds, durationSec }) {
  const auth = { authorization: `Bearer ${server.sandboxKey}` };
  const [refused, accepted] = [await fetch(`${server.url}/bench/bare-check`), await fetch(`${server.url}/bench/bare-check`, { headers: auth })];
  if (refused.status !== 401 || accepted.status !== 200) throw new Error(`the bare-check route misbehaves: without key ${refused.status}, with key ${accepted.status}`);
  const targets = [
    { name: 'open', url: `${server.url}/bench/open`, serverPid: server.pid },
    { name: 'bare', url: `${server.url}/bench/bare-check`, headers: auth, serverPid: server.pid },
    { name: 'protected', url: `${server.url}/bench/protected`, headers: auth, serverPid: server.pid },
  ];
  const { command, args } = pinned(1, process.execPath, [TARGETS_LOADGEN, JSON.stringify({ targets, connections, rounds, durationSec, warmupSec: 1 })]);
  log(`figure 1 reference: open, bare SHA-256 + Map check, protected; ${rounds} rotated rounds of ${durationSec} s`);
  const { stdout, stderr } = await runProcess(command, args);
  process.stderr.write(stderr);
  const data = JSON.parse(stdout);
  const ratios = (a, b) => data.rounds.map((r) => r.runs[a].rps / r.runs[b].rps);
  const ratio = (a, b) => median(ratios(a, b));
  const atTarget = (name) => ratios(name, 'open').filter((x) => x >= PROTECTED_GET_TARGET).length;
  const cpuRatio = (a, b) => median(data.rounds.map((r) => r.runs[b].cpuUsPerRequest / r.runs[a].cpuUsPerRequest));
  const cpuUs = (name) => median(data.rounds.map((r) => r.runs[name].cpuUsPerRequest));
  return {
    rounds: data.rounds.length,
    bareOverOpen: ratio('bare', 'open'),
    bareOverOpenCpu: cpuRatio('bare', 'open'),
    protectedOverOpen: ratio('protected', 'open'),
    protectedOverOpenCpu: cpuRatio('protected', 'open'),
    protectedOverBare: ratio('protected', 'bare'),
    protectedOverBareCpu: cpuRatio('protected', 'bare'),
    cpuUs: { open: cpuUs('open'), bare: cpuUs('bare'), protected: cpuUs('protected') },
    // How far each median could move by chance, and how many single rounds reached the 93% target.
    intervals: { bareOverOpen: medianInterval(ratios('bare', 'open')), protectedOverOpen: medianInterval(ratios('protected', 'open')), protectedOverBare: medianInterval(ratios('protected', 'bare')) },
    roundsAtTarget: { bare: atTarget('bare'), protected: atTarget('protected') },
  };
}

export async function httpOverhead({ connections, referenceRounds = 24, pairs, minValidPairs = 8, maxPairs = 24, busyThreshold = 0.9, durationSec, warmupSec, unloadedPairs = 0, unloadedSec = 1, nodeArgs = [], logToFile = false }) {
  const dataDir = tempDir('tessera-bench-http-');
  const logFile = logToFile ? join(dataDir, 'server.log') : '/dev/null';
  const server = await startServer({ env: { TESSERA_DATA_DIR: join(dataDir, 'data') }, logFile, cpu: 0, nodeArgs });
  try {
    if (server.sandboxKey === null) throw new Error('a fresh data dir must issue bootstrap keys');
    if (server.logLevel !== 'info') throw new Error(`figure 1 must run at the default log level 'info', not '${server.logLevel}' (unset TESSERA_LOG_LEVEL)`);
    // Sanity: the protected route refuses without a key and accepts the key.
    const refused = await fetch(`${server.url}/bench/protected`);
    const accepted = await fetch(`${server.url}/bench/protected`, { headers: { authorization: `Bearer ${server.sandboxKey}` } });
    const open = await fetch(`${server.url}/bench/open`);
    if (refused.status !== 401 || accepted.status !== 200 || open.status !== 200) {
      throw new Error(`bench routes misbehave: protected without key ${refused.status}, with key ${accepted.status}, open ${open.status}`);
    }
    const bodies = [await accepted.text(), await open.text()];
    if (bodies[0] !== bodies[1]) throw new Error(`the two routes answer differently: ${bodies[0]} vs ${bodies[1]}`);

    const loadgenArgs = [LOADGEN, JSON.stringify({ url: server.url, key: server.sandboxKey, serverPid: server.pid, connections, pairs, minValidPairs, maxPairs, busyThreshold, durationSec, warmupSec, unloadedPairs, unloadedSec })];
    const { command, args, pinned: loadPinned } = pinned(1, process.execPath, loadgenArgs);
    log(`figure 1: server pid ${server.pid}${server.pinned ? ' on CPU 0' : ''}, load generator${loadPinned ? ' on CPU 1' : ''}, ${connections} connections, ${pairs} to ${maxPairs} pairs of ${durationSec} s (until ${minValidPairs} pairs ran with the server saturated)`);
    const { stdout, stderr } = await runProcess(command, args);
    process.stderr.write(stderr);
    const data = JSON.parse(stdout);
    const stats = (pairs) => {
      const hasCpu = pairs.every((p) => p.autocannon.open.cpuUsPerRequest !== null);
      const ratios = pairs.map((p) => p.autocannon.protected.rps / p.autocannon.open.rps);
      const p99Deltas = pairs.map((p) => p.timed.protected.p99 - p.timed.open.p99);
      // Throughput a saturated single-threaded server would reach is 1 / CPU per request.
      const cpuRatios = hasCpu ? pairs.map((p) => p.autocannon.open.cpuUsPerRequest / p.autocannon.protected.cpuUsPerRequest) : null;
      return {
        count: pairs.length,
        ratio: median(ratios),
        ratios,
        timedRatio: median(pairs.map((p) => p.timed.protected.rps / p.timed.open.rps)),
        p99Delta: median(p99Deltas),
        p99Deltas,
        p50Delta: median(pairs.map((p) => p.timed.protected.p50 - p.timed.open.p50)),
        cpuRatio: cpuRatios === null ? null : median(cpuRatios),
        cpuRatios,
        cpuOpenUs: hasCpu ? median(pairs.map((p) => p.autocannon.open.cpuUsPerRequest)) : null,
        cpuProtectedUs: hasCpu ? median(pairs.map((p) => p.autocannon.protected.cpuUsPerRequest)) : null,
        rpsOpen: median(pairs.map((p) => p.autocannon.open.rps)),
        rpsProtected: median(pairs.map((p) => p.autocannon.protected.rps)),
      };
    };
    const reference = await bareCheckReference(server, { connections, rounds: referenceRounds, durationSec });
    const saturated = data.pairs.filter((p) => p.saturated);
    const enough = saturated.length >= 5;
    await server.stop();
    const logText = logToFile ? readFileSync(logFile, 'utf8') : '';
    const requestLines = logToFile ? (logText.match(/"msg":"request"/g) ?? []).length : null;
    return {
      connections,
      busyThreshold,
      pairs: data.pairs,
      pinned: server.pinned && loadPinned,
      // The verdict uses the saturated pairs when there are at least 5 of them, else every pair.
      basis: enough ? 'saturated' : 'all',
      ...stats(enough ? saturated : data.pairs),
      all: stats(data.pairs),
      reference,
      saturatedCount: saturated.length,
      pooled: enough ? data.pooled : data.pooledAll,
      pooledAll: data.pooledAll,
      unloaded: data.unloaded.length === 0 ? null : {
        pairs: data.unloaded,
        p50Open: median(data.unloaded.map((p) => p.open.p50)),
        p50Protected: median(data.unloaded.map((p) => p.protected.p50)),
        p99Open: median(data.unloaded.map((p) => p.open.p99)),
        p99Protected: median(data.unloaded.map((p) => p.protected.p99)),
        p50Delta: median(data.unloaded.map((p) => p.protected.p50 - p.open.p50)),
        p99Delta: median(data.unloaded.map((p) => p.protected.p99 - p.open.p99)),
      },
      log: { file: logFile, bytes: logToFile ? statSync(logFile).size : null, requestLines, level: server.logLevel, infoEnabled: server.infoEnabled },
    };
  } finally {
    await server.stop();
    removeDir(dataDir);
  }
}
