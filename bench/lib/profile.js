// CPU profile of the server child under load on each bench route, and a
// per-request comparison of where the time goes (V8 sampling profiler, the
// same one `node --cpu-prof` uses, started and stopped around the load only).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.js';
import { pinned, removeDir, runProcess, tempDir } from './util.js';

const LOADGEN = fileURLToPath(new URL('../loadgen.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function request(child, message, answer) {
  return new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m?.type === answer) {
        child.off('message', onMessage);
        resolve(m);
      } else if (m?.type === 'profile-error') {
        child.off('message', onMessage);
        reject(new Error(m.message));
      }
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

function label(frame) {
  let url = frame.url.replace(/^file:\/\//, '');
  if (url.startsWith(ROOT)) url = url.slice(ROOT.length);
  url = url.replace(/^node_modules\//, '');
  const name = frame.functionName || '(anonymous)';
  return url === '' ? name : `${name} ${url}:${frame.lineNumber + 1}`;
}

/** Self and inclusive microseconds per function label. */
export function analyseProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  let idle = 0;
  const walk = (node, onStack) => {
    const key = label(node.callFrame);
    const own = selfUs.get(node.id) ?? 0;
    total += own;
    if (key === '(idle)') idle += own;
    self.set(key, (self.get(key) ?? 0) + own);
    let sum = own;
    const recursive = onStack.has(key);
    if (!recursive) onStack.add(key);
    for (const childId of node.children ?? []) sum += walk(byId.get(childId), onStack);
    if (!recursive) {
      onStack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + sum);
    }
    return sum;
  };
  walk(profile.nodes[0], new Set());
  return { self, inclusive, totalUs: total, idleUs: idle };
}

/**
 * Profiles the server on /bench/open, then /bench/protected, under the same
 * autocannon load, each for `durationSec` per round.
 */
export async function profileRoutes({ connections, durationSec, rounds = 3, warmupSec = 3, intervalUs = 100 }) {
  const dir = tempDir('tessera-bench-prof-');
  const server = await startServer({ env: { TESSERA_DATA_DIR: join(dir, 'data') }, logFile: '/dev/null', cpu: 0 });
  const load = async (route, seconds) => {
    const spec = { mode: 'single', route, url: server.url, key: server.sandboxKey, serverPid: server.pid, connections, durationSec: seconds };
    const { command, args } = pinned(1, process.execPath, [LOADGEN, JSON.stringify(spec)]);
    return JSON.parse((await runProcess(command, args)).stdout);
  };
  try {
    await load('open', warmupSec);
    await load('protected', warmupSec);
    const routes = {};
    // Alternated windows (ABBA), summed per route, so that the machine's drift hits both alike.
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['open', 'protected'] : ['protected', 'open'];
      for (const route of order) {
        await request(server.child, { type: 'profile-start', intervalUs }, 'profile-started');
        const result = await load(route, durationSec);
        const path = join(dir, `${route}-${round}.cpuprofile`);
        await request(server.child, { type: 'profile-stop', path }, 'profile-written');
        const analysis = analyseProfile(JSON.parse(readFileSync(path, 'utf8')));
        const acc = (routes[route] ??= { requests: 0, seconds: 0, cpuUs: 0, self: new Map(), inclusive: new Map(), totalUs: 0, idleUs: 0 });
        acc.requests += result.requests;
        acc.seconds += result.durationSec;
        acc.cpuUs += (result.cpuUsPerRequest ?? NaN) * result.requests;
        acc.totalUs += analysis.totalUs;
        acc.idleUs += analysis.idleUs;
        for (const name of ['self', 'inclusive']) for (const [k, v] of analysis[name]) acc[name].set(k, (acc[name].get(k) ?? 0) + v);
      }
    }
    for (const r of Object.values(routes)) {
      r.rps = r.requests / r.seconds;
      r.cpuUsPerRequest = r.cpuUs / r.requests;
    }
    return summarise(routes);
  } finally {
    await server.stop();
    removeDir(dir);
  }
}

function summarise(routes) {
  const perRequest = (route, map, key) => (map.get(key) ?? 0) / routes[route].requests;
  const { open, protected: prot } = routes;
  const topSelf = [...prot.self.entries()]
    .filter(([k]) => k !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([fn, us]) => ({ fn, protectedUs: us / prot.requests, openUs: perRequest('open', open.self, fn), share: us / (prot.totalUs - prot.idleUs) }));
  const keys = new Set([...open.self.keys(), ...prot.self.keys()]);
  const selfDiff = [...keys]
    .filter((k) => k !== '(idle)')
    .map((fn) => ({ fn, openUs: perRequest('open', open.self, fn), protectedUs: perRequest('protected', prot.self, fn) }))
    .map((r) => ({ ...r, deltaUs: r.protectedUs - r.openUs }))
    .sort((a, b) => b.deltaUs - a.deltaUs)
    .slice(0, 20);
  // Inclusive time of the authentication path, by function.
  const authPath = [...prot.inclusive.entries()]
    .filter(([fn]) => /dist\/(http\/authentication|http\/credential-extraction|services\/authenticator|services\/credential-cache|services\/usage-recorder|domain\/(key-format|digest|base62|permissions))\.js/.test(fn))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([fn, us]) => ({ fn, inclusiveUs: us / prot.requests }));
  const busy = (r) => (r.totalUs - r.idleUs) / r.requests;
  return {
    open: { requests: open.requests, rps: open.rps, profiledUsPerRequest: busy(open), cpuUsPerRequest: open.cpuUsPerRequest },
    protected: { requests: prot.requests, rps: prot.rps, profiledUsPerRequest: busy(prot), cpuUsPerRequest: prot.cpuUsPerRequest },
    topSelf,
    selfDiff,
    authPath,
  };
}
