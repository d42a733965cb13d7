// Load generator for figure 9 (signed requests and IP allowlists), in its own
// process pinned to another CPU than the server. The server refuses a replayed
// signature, so every signed request is signed anew, before its run: the
// client then does the same work for every variant (send the next prepared
// request), and the server sees the same arrival pattern. Signing as requests
// went out slowed the client enough to change how the server worked: 5 µs
// more server CPU per request for merely carrying the signature headers, and
// autocannon rebuilding each request left the server idle 5-9% of a run.
// Compares pairs of variants, alternated (ABBA), reading the server's CPU time
// around every run. Prints one JSON document on stdout.
import { createPrivateKey } from 'node:crypto';
import { rawRequest, timedLoad } from './lib/http-client.js';
import { signRequest } from './lib/sign.js';
import { processCpuNs } from './lib/process-cpu.js';

const options = JSON.parse(process.argv[2]);
const { url, serverPid, connections, pairs, durationSec, warmupSec, keys, bareKey, body } = options;

const hmac = { keyId: keys.hmac.id, algorithm: 'hmac-sha256', secret: Buffer.from(keys.hmac.hmacKey, 'utf8') };
const ed25519 = { keyId: keys.ed25519.id, algorithm: 'ed25519', privateKey: createPrivateKey(keys.ed25519.privateKeyPem) };
const json = { 'content-type': 'application/json' };

const VARIANTS = {
  'open POST': { method: 'POST', path: '/bench/open-post', headers: json, body },
  // Sent exactly like the HMAC-signed request (same headers, signed anew), to a route that only does the crypto.
  'crypto-only POST': { method: 'POST', path: '/bench/crypto-only-post', headers: { ...json, authorization: `Bearer ${keys.hmac.secret}` }, body, signWith: hmac },
  // The same signed requests, authenticated by the bare SHA-256 + Map check (it knows the bootstrap key only).
  'bare-check + crypto POST': { method: 'POST', path: '/bench/bare-check-crypto-post', headers: { ...json, authorization: `Bearer ${bareKey}` }, body, signWith: hmac },
  'hmac-sha256 POST': { method: 'POST', path: '/bench/protected-post', headers: { ...json, authorization: `Bearer ${keys.hmac.secret}` }, body, signWith: hmac },
  'ed25519 POST': { method: 'POST', path: '/bench/protected-post', headers: { ...json, authorization: `Bearer ${keys.ed25519.secret}` }, body, signWith: ed25519 },
  'no allowlist GET': { method: 'GET', path: '/bench/protected', headers: { authorization: `Bearer ${keys.plain.secret}` } },
  '100-CIDR allowlist GET': { method: 'GET', path: '/bench/protected', headers: { authorization: `Bearer ${keys.allowlisted.secret}` } },
};

const host = new URL(url).host;
const PREPARED_PER_SECOND = 30_000;

async function run(name, seconds) {
  const v = VARIANTS[name];
  const fixed = rawRequest({ host, method: v.method, path: v.path, headers: v.headers, body: v.body });
  const signed = () => rawRequest({ host, method: v.method, path: v.path, headers: { ...v.headers, ...signRequest(v.signWith, v.method, url + v.path, v.body) }, body: v.body });
  // More than the server can answer in the run (about 20,000/s here); past them, signed as sent.
  const prepared = v.signWith === undefined ? [] : Array.from({ length: seconds * PREPARED_PER_SECOND }, signed);
  let next = 0;
  const nextRequest = v.signWith === undefined ? () => fixed : () => prepared[next++] ?? signed();
  const before = processCpuNs(serverPid);
  const r = await timedLoad({ url, path: v.path, connections, durationMs: seconds * 1000, nextRequest });
  const after = processCpuNs(serverPid);
  if (next > prepared.length) process.stderr.write(`  ${name}: ${next - prepared.length} requests signed as sent, past the ${prepared.length} prepared\n`);
  const ok = Object.entries(r.statuses).reduce((sum, [status, n]) => (status.startsWith('2') ? sum + n : sum), 0);
  if (r.errors > 0 || ok !== r.completed) throw new Error(`${name}: ${r.errors} errors, statuses ${JSON.stringify(r.statuses)} of ${r.completed}`);
  const elapsed = r.elapsedMs / 1000;
  return { rps: ok / elapsed, cpuUsPerRequest: (after - before) / 1000 / ok, serverBusy: (after - before) / 1e9 / elapsed };
}

const comparisons = [
  ['open POST', 'hmac-sha256 POST'],
  ['open POST', 'crypto-only POST'],
  ['crypto-only POST', 'hmac-sha256 POST'],
  ['open POST', 'bare-check + crypto POST'],
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
    process.stderr.write(`  ${variant} / ${base}, pair ${i + 1}: ${Math.round(round[variant].rps)} / ${Math.round(round[base].rps)} rps (${((round[variant].rps / round[base].rps) * 100).toFixed(1)}%), server CPU ${round[variant].cpuUsPerRequest.toFixed(1)} vs ${round[base].cpuUsPerRequest.toFixed(1)} µs/req, busy ${round[variant].serverBusy.toFixed(2)} / ${round[base].serverBusy.toFixed(2)}\n`);
  }
  results.push({ base, variant, rounds });
}
process.stdout.write(JSON.stringify({ comparisons: results }));
