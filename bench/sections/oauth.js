// Figures 7 and 8: OAuth 2.0.
//  7. Tokens per second from POST /oauth/token (client_credentials, client_secret_basic),
//     Tessera vs oidc-provider (same client id and secret, EdDSA JWT access tokens) vs a bare
//     Fastify route that only signs an EdDSA JWT (the ceiling), each server in its own child
//     process on CPU 0, one autocannon load generator on CPU 1, rounds rotated.
//  8. A protected GET with a Bearer access token vs the same route with a secret key, same
//     server, alternated pairs.
// When a target is missed (BENCH_PROFILE=auto) the Tessera server is profiled under the same
// load (V8 sampling profiler, as `node --cpu-prof`) and the top functions are reported.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyseProfile } from '../lib/profile.js';
import { startServer } from '../lib/server.js';
import { log, median, pinned, removeDir, runProcess, tempDir } from '../lib/util.js';

const LOADGEN = fileURLToPath(new URL('../targets-loadgen.js', import.meta.url));
const OIDC_CHILD = fileURLToPath(new URL('../oidc-provider-child.js', import.meta.url));
const BARE_CHILD = fileURLToPath(new URL('../bare-jwt-child.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TOKEN_TARGET = 2;
export const VERIFY_TARGET = 0.9;
const FORM = 'application/x-www-form-urlencoded';
const SCOPE = 'accounts.read';

async function json(response, what) {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** A merchant of a fresh bench server, with a client credential (and, if asked, a secret key), made through the API. */
async function merchantWithClient(server, { withSecretKey = false, tokenLifetimeSeconds } = {}) {
  const headers = { authorization: `Bearer ${server.sandboxKey}`, 'content-type': 'application/json' };
  const account = await json(await fetch(`${server.url}/v1/accounts`, { method: 'POST', headers, body: JSON.stringify({ type: 'merchant', name: 'Bench merchant' }) }), 'create merchant');
  const keys = `${server.url}/v1/accounts/${account.id}/keys`;
  const client = await json(await fetch(keys, { method: 'POST', headers, body: JSON.stringify({ kind: 'client', name: 'Bench client', permissions: [SCOPE, 'operations.list'], ...(tokenLifetimeSeconds !== undefined && { tokenLifetimeSeconds }) }) }), 'create client');
  const secretKey = withSecretKey ? await json(await fetch(keys, { method: 'POST', headers, body: JSON.stringify({ kind: 'secret', name: 'Bench key' }) }), 'create secret key') : null;
  return { accountId: account.id, clientId: client.clientId, clientSecret: client.clientSecret, secretKey: secretKey?.secret ?? null };
}

const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** One token request, checked: 200, a JWT signed with EdDSA, typed at+jwt, never cached. */
async function checkTokenEndpoint(target) {
  const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  const body = await json(response, `${target.name} token endpoint`);
  if (response.headers.get('cache-control') !== 'no-store') throw new Error(`${target.name}: Cache-Control ${response.headers.get('cache-control')}`);
  const header = JSON.parse(Buffer.from(body.access_token.split('.')[0], 'base64url').toString('utf8'));
  const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString('utf8'));
  if (header.alg !== 'EdDSA' || header.typ !== 'at+jwt' || body.token_type !== 'Bearer' || body.expires_in !== 900 || claims.scope !== SCOPE) {
    throw new Error(`${target.name} answered an unexpected token: ${JSON.stringify({ header, claims, token_type: body.token_type, expires_in: body.expires_in })}`);
  }
  return { header, claims, bytes: body.access_token.length };
}

function runLoad(spec) {
  const { command, args, pinned: isPinned } = pinned(1, process.execPath, [LOADGEN, JSON.stringify(spec)]);
  return runProcess(command, args).then(({ stdout, stderr }) => {
    process.stderr.write(stderr);
    return { data: JSON.parse(stdout), pinned: isPinned };
  });
}

/**
 * Per-target medians of a loadgen run, and the per-round ratios of `a` to `b`.
 * A round counts towards the verdict only if every `judged` server was at
 * least `busyThreshold` busy (on a shared VM some runs are throttled by the
 * machine, not by the code); with fewer than 3 such rounds, every round counts.
 */
function summarise(data, pairs, busyThreshold, judged = data.options.targets) {
  const names = data.options.targets;
  const saturated = data.rounds.map((r) => judged.every((n) => (r.runs[n].serverBusy ?? 1) >= busyThreshold));
  const basis = saturated.filter(Boolean).length >= 3 ? 'saturated' : 'all';
  const counted = data.rounds.filter((_, i) => basis === 'all' || saturated[i]);
  const perTarget = Object.fromEntries(
    names.map((name) => {
      const runs = counted.map((r) => r.runs[name]);
      const cpu = runs.every((r) => r.cpuUsPerRequest !== null) ? median(runs.map((r) => r.cpuUsPerRequest)) : null;
      return [name, { rps: median(runs.map((r) => r.rps)), cpuUsPerRequest: cpu, minBusy: Math.min(...data.rounds.map((r) => r.runs[name].serverBusy ?? 1)), p50Ms: median(runs.map((r) => r.p50Ms)), p99Ms: median(runs.map((r) => r.p99Ms)) }];
    }),
  );
  const ratios = Object.fromEntries(
    pairs.map(([a, b]) => {
      const perRound = counted.map((r) => r.runs[a].rps / r.runs[b].rps);
      // Throughput a saturated single-threaded server would reach is 1 / CPU per request.
      const cpu = counted.every((r) => r.runs[a].cpuUsPerRequest !== null) ? median(counted.map((r) => r.runs[b].cpuUsPerRequest / r.runs[a].cpuUsPerRequest)) : null;
      return [`${a}/${b}`, { ratio: median(perRound), perRound, cpuRatio: cpu }];
    }),
  );
  return { perTarget, ratios, rounds: data.rounds.map((r, i) => ({ ...r, saturated: saturated[i] })), basis, countedRounds: counted.length, busyThreshold, judged };
}

/**
 * The Tessera server child profiled while the load generator drives one target, for `seconds`:
 * self and inclusive µs per request by function, top first.
 */
async function profileUnderLoad(server, target, { connections, seconds, dir, name }) {
  const ask = (message, answer) =>
    new Promise((resolve, reject) => {
      const onMessage = (m) => {
        if (m?.type === answer || m?.type === 'profile-error') {
          server.child.off('message', onMessage);
          if (m.type === 'profile-error') reject(new Error(m.message));
          else resolve(m);
        }
      };
      server.child.on('message', onMessage);
      server.child.send(message);
    });
  await ask({ type: 'profile-start', intervalUs: 100 }, 'profile-started');
  const { data } = await runLoad({ targets: [target], connections, rounds: 1, durationSec: seconds, warmupSec: 1 });
  const path = join(dir, `${name}.cpuprofile`);
  await ask({ type: 'profile-stop', path }, 'profile-written');
  const analysis = analyseProfile(JSON.parse(readFileSync(path, 'utf8')));
  // The warm-up second ran under the profiler too.
  const requests = data.rounds[0].runs[target.name].requests * ((seconds + 1) / seconds);
  const short = (fn) => fn.replace(ROOT, '');
  const busy = analysis.totalUs - analysis.idleUs;
  const top = (map, n) =>
    [...map.entries()]
      // `dispatch` is the inspector session that runs the profiler (its caller is node:inspector's post), not the server.
      .filter(([fn]) => fn !== '(idle)' && fn !== '(root)' && fn !== '(program)' && fn !== 'dispatch')
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([fn, us]) => ({ fn: short(fn), usPerRequest: us / requests, share: us / busy }));
  const ours = (map) => new Map([...map.entries()].filter(([fn]) => /dist\/(http\/(oauth|form-body|credential|authentication)|services\/(oauth|authenticator|credential-cache|usage-recorder)|domain\/(oauth|base62|digest|key-format|permissions))/.test(fn)));
  return { requests, usPerRequest: busy / requests, programShare: (analysis.self.get('(program)') ?? 0) / busy, gcShare: (analysis.self.get('(garbage collector)') ?? 0) / busy, topSelf: top(analysis.self, 20), oursInclusive: top(ours(analysis.inclusive), 15) };
}

export async function oauthTokenThroughput({ connections, rounds, durationSec, warmupSec, profile, busyThreshold = 0.9 }) {
  const dir = tempDir('tessera-bench-oauth-');
  const servers = [];
  try {
    const tessera = await startServer({ env: { TESSERA_DATA_DIR: join(dir, 'data') }, logFile: '/dev/null', cpu: 0 });
    servers.push(tessera);
    if (tessera.sandboxKey === null) throw new Error('a fresh data dir must issue bootstrap keys');
    const { clientId, clientSecret } = await merchantWithClient(tessera);
    const oidc = await startServer({ script: OIDC_CHILD, env: { CLIENT_ID: clientId, CLIENT_SECRET: clientSecret, SCOPE }, logFile: '/dev/null', cpu: 0 });
    servers.push(oidc);
    const bare = await startServer({ script: BARE_CHILD, env: {}, logFile: '/dev/null', cpu: 0 });
    servers.push(bare);
    const request = { method: 'POST', headers: { 'content-type': FORM, authorization: basic(clientId, clientSecret) }, body: `grant_type=client_credentials&scope=${SCOPE}` };
    const targets = [
      { name: 'tessera', url: `${tessera.url}/oauth/token`, serverPid: tessera.pid, ...request },
      { name: 'oidc-provider', url: `${oidc.url}/token`, serverPid: oidc.pid, ...request },
      { name: 'bare', url: `${bare.url}/oauth/token`, serverPid: bare.pid, ...request },
    ];
    const tokens = {};
    for (const target of targets) tokens[target.name] = await checkTokenEndpoint(target);
    // Tessera's token works where it should: on a protected route of the same server.
    const used = await fetch(`${tessera.url}/bench/protected`, { headers: { authorization: `Bearer ${(await json(await fetch(targets[0].url, { method: 'POST', headers: request.headers, body: request.body }), 'token')).access_token}` } });
    if (used.status !== 200) throw new Error(`a Tessera access token was refused on /bench/protected: ${used.status}`);
    const version = JSON.parse(readFileSync(join(ROOT, 'node_modules/oidc-provider/package.json'), 'utf8')).version;

    log(`figure 7: Tessera pid ${tessera.pid}, oidc-provider ${version} pid ${oidc.pid}, bare Fastify pid ${bare.pid}${tessera.pinned ? ' (all on CPU 0)' : ''}; ${connections} connections, ${rounds} rounds of ${durationSec} s per server`);
    const { data, pinned: loadPinned } = await runLoad({ targets, connections, rounds, durationSec, warmupSec });
    const summary = summarise(data, [
      ['tessera', 'oidc-provider'],
      ['tessera', 'bare'],
      ['oidc-provider', 'bare'],
      // The verdict compares Tessera and oidc-provider: their rounds count when both were saturated. The bare
      // route rarely is: one autocannon process on one CPU can't send POSTs as fast as it answers them.
    ], busyThreshold, ['tessera', 'oidc-provider']);
    const met = summary.ratios['tessera/oidc-provider'].ratio >= TOKEN_TARGET;
    let profiled = null;
    if (profile === 'always' || (profile === 'auto' && !met)) {
      log('figure 7: profiling Tessera on /oauth/token');
      profiled = await profileUnderLoad(tessera, targets[0], { connections, seconds: 4, dir, name: 'oauth-token' });
    }
    return { connections, plannedRounds: rounds, durationSec, warmupSec, pinned: tessera.pinned && loadPinned, oidcProviderVersion: version, tokens, ...summary, met, profiled };
  } finally {
    for (const server of servers) await server.stop();
    removeDir(dir);
  }
}

export async function oauthTokenVerify({ connections, pairs, durationSec, warmupSec, profile, busyThreshold = 0.9 }) {
  const dir = tempDir('tessera-bench-oauth-verify-');
  const server = await startServer({ env: { TESSERA_DATA_DIR: join(dir, 'data') }, logFile: '/dev/null', cpu: 0 });
  try {
    const { clientId, clientSecret, secretKey } = await merchantWithClient(server, { withSecretKey: true, tokenLifetimeSeconds: 3600 });
    const token = await json(await fetch(`${server.url}/oauth/token`, { method: 'POST', headers: { 'content-type': FORM, authorization: basic(clientId, clientSecret) }, body: 'grant_type=client_credentials' }), 'token');
    const path = `${server.url}/bench/protected`;
    const targets = [
      { name: 'token', url: path, headers: { authorization: `Bearer ${token.access_token}` }, serverPid: server.pid },
      { name: 'key', url: path, headers: { authorization: `Bearer ${secretKey}` }, serverPid: server.pid },
    ];
    const bodies = [];
    for (const target of targets) bodies.push(JSON.stringify(await json(await fetch(target.url, { headers: target.headers }), target.name)));
    if (bodies[0] !== bodies[1]) throw new Error(`the route answers the token and the key differently: ${bodies.join(' vs ')}`);
    if ((await fetch(path)).status !== 401) throw new Error('/bench/protected answers without a credential');

    log(`figure 8: server pid ${server.pid}${server.pinned ? ' on CPU 0' : ''}; ${connections} connections, ${pairs} pairs of ${durationSec} s (token, key alternated)`);
    const { data, pinned: loadPinned } = await runLoad({ targets, connections, rounds: pairs * 2, durationSec, warmupSec });
    // Rounds come in twos: one pair is one run of each route.
    const paired = [];
    for (let i = 0; i + 1 < data.rounds.length; i += 2) {
      paired.push({ round: i / 2, order: [...data.rounds[i].order, ...data.rounds[i + 1].order], runs: Object.fromEntries(['token', 'key'].map((n) => [n, { ...data.rounds[i].runs[n], rps: (data.rounds[i].runs[n].rps + data.rounds[i + 1].runs[n].rps) / 2, serverBusy: Math.min(data.rounds[i].runs[n].serverBusy ?? 1, data.rounds[i + 1].runs[n].serverBusy ?? 1), cpuUsPerRequest: data.rounds[i].runs[n].cpuUsPerRequest === null ? null : (data.rounds[i].runs[n].cpuUsPerRequest + data.rounds[i + 1].runs[n].cpuUsPerRequest) / 2 }])) });
    }
    const summary = summarise({ options: data.options, rounds: paired }, [['token', 'key']], busyThreshold);
    const met = summary.ratios['token/key'].ratio >= VERIFY_TARGET;
    let profiled = null;
    if (profile === 'always' || (profile === 'auto' && !met)) {
      log('figure 8: profiling the protected route with the token, then with the key');
      profiled = {
        token: await profileUnderLoad(server, targets[0], { connections, seconds: 4, dir, name: 'verify-token' }),
        key: await profileUnderLoad(server, targets[1], { connections, seconds: 4, dir, name: 'verify-key' }),
      };
    }
    return { connections, pairs, durationSec, warmupSec, pinned: server.pinned && loadPinned, tokenBytes: token.access_token.length, ...summary, met, profiled };
  } finally {
    await server.stop();
    removeDir(dir);
  }
}
