// Load generator for figure 9 (signed requests and IP allowlists), in its own
// process pinned to another CPU than the server. Every signed request is signed
// anew in autocannon's setupRequest (the server refuses a replayed signature),
// so the client's signing cost is part of this process, not the server's.
// Compares pairs of variants, alternated (ABBA), reading the server's CPU time
// around every run. Prints one JSON document on stdout.
import autocannon from 'autocannon';
import { createPrivateKey } from 'node:crypto';
import { signRequest } from './lib/sign.js';
import { processCpuNs } from './lib/process-cpu.js';

const options = JSON.parse(process.argv[2]);
const { url, serverPid, connections, pairs, durationSec, warmupSec, keys, body } = options;

const hmac = { keyId: keys.hmac.id, algorithm: 'hmac-sha256', secret: Buffer.from(keys.hmac.hmacKey, 'utf8') };
const ed25519 = { keyId: keys.ed25519.id, algorithm: 'ed25519', privateKey: createPrivateKey(keys.ed25519.privateKeyPem) };
const json = { 'content-type': 'application/json' };

const VARIANTS = {
  'open POST': { method: 'POST', path: '/bench/open-post', headers: json, body },
  // Sent exactly like the HMAC-signed request (same headers, signed anew), to a route that only does the crypto.
  'crypto-only POST': { method: 'POST', path: '/bench/crypto-only-post', headers: { ...json, authorization: `Bearer ${keys.hmac.secret}` }, body, signWith: hmac },
  'hmac-sha256 POST': { method: 'POST', path: '/bench/protected-post', headers: { ...json, authorization: `Bearer ${keys.hmac.secret}` }, body, signWith: hmac },
  'ed25519 POST': { method: 'POST', path: '/bench/protected-post', headers: { ...json, authorization: `Bearer ${keys.ed25519.secret}` }, body, signWith: ed25519 },
  'no allowlist GET': { method: 'GET', path: '/bench/protected', headers: { authorization: `Bearer ${keys.plain.secret}` } },
  '100-CIDR allowlist GET': { method: 'GET', path: '/bench/protected', headers: { authorization: `Bearer ${keys.allowlisted.secret}` } },
};

async function run(name, seconds) {
  const v = VARIANTS[name];
  const request = { method: v.method, path: v.path, headers: v.headers, ...(v.body !== undefined && { body: v.body }) };
  if (v.signWith !== undefined) {
    request.setupRequest = (req) => ({ ...req, headers: { ...req.headers, ...signRequest(v.signWith, v.method, url + v.path, v.body) } });
  }
  const before = processCpuNs(serverPid);
  const r = await autocannon({ url, connections, duration: seconds, pipelining: 1, requests: [request] });
  const after = processCpuNs(serverPid);
  if (r.errors > 0 || r.timeouts > 0 || r.non2xx > 0) throw new Error(`${name}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx of ${r.requests.total}`);
  const ok = r['2xx'];
  return { rps: ok / r.duration, cpuUsPerRequest: (after - before) / 1000 / ok, serverBusy: (after - before) / 1e9 / r.duration };
}

const comparisons = [
  ['open POST', 'hmac-sha256 POST'],
  ['open POST', 'crypto-only POST'],
  ['crypto-only POST', 'hmac-sha256 POST'],
  ['open POST', 'ed25519 POST'],
  ['no allowlist GET', '100-CIDR allowlist GET'],
];
for (const name of Object.keys(VARIANTS)) await run(name, warmupSec);

const results = [];
for (const [base, variant] of comparisons) {
  const rounds = [];
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? [base, variant] : [variant, base];
    const round = {};
    for (const name of order) round[name] = await run(name, durationSec);
    rounds.push({ base: round[base], variant: round[variant] });
    process.stderr.write(`  ${variant} / ${base}, pair ${i + 1}: ${Math.round(round[variant].rps)} / ${Math.round(round[base].rps)} rps (${((round[variant].rps / round[base].rps) * 100).toFixed(1)}%), server CPU ${round[variant].cpuUsPerRequest.toFixed(1)} vs ${round[base].cpuUsPerRequest.toFixed(1)} µs/req\n`);
  }
  results.push({ base, variant, rounds });
}
process.stdout.write(JSON.stringify({ comparisons: results }));
