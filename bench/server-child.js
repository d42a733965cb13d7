// A Tessera server in its own process, as production runs it: configuration
// from the environment, pino at the configured level (default 'info') writing
// to stdout, which the parent points at a log file. Two extra routes share one
// handler; only the second declares an operation, so only it gets the
// authentication hook (added by the onRoute hook in src/http/server.ts).
// Figure 9 adds a POST pair the same way, a crypto-only reference route, and that route behind the
// bare key check.
import { hash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createTessera } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { HmacSha256Key } from '../dist/crypto/hmac-sha256.js';

const config = loadConfig(process.env);
const tessera = await createTessera({ config });

const handler = async () => ({ ok: true, items: [1, 2, 3] });
tessera.server.get('/bench/open', handler);
tessera.server.get('/bench/protected', { config: { operation: 'operations.list' } }, handler);
// Figure 1's reference: the issue's "bare SHA-256 + Map check in Fastify", as an onRequest hook on
// the same handler: the least a check that hashes every request's key can cost, with no parsing,
// state, permission or usage. (Tessera skips the hash when a connection repeats its last key.)
const bareKeys = new Map();
const bareKey = tessera.bootstrap.issued?.sandbox.secret;
if (bareKey !== undefined) bareKeys.set(hash('sha256', bareKey, 'base64url'), { keyId: 'bare' });
function bareKeyCheck(request, reply, done) {
  const header = request.headers.authorization;
  const found = typeof header === 'string' && header.startsWith('Bearer ') ? bareKeys.get(hash('sha256', header.slice(7), 'base64url')) : undefined;
  if (found === undefined) return void reply.code(401).send({ error: 'unknown key' });
  done();
}
tessera.server.get('/bench/bare-check', { onRequest: bareKeyCheck }, handler);
// The signed-request figures: the same POST with a JSON body, open and protected (a signing key signs it).
const echoSize = async (request) => ({ ok: true, bytes: JSON.stringify(request.body).length });
tessera.server.post('/bench/open-post', echoSize);
tessera.server.post('/bench/protected-post', { config: { operation: 'operations.list' } }, echoSize);
// The ceiling for an HMAC-signed POST: the open route plus only the cryptography no verifier can
// skip (SHA-256 of the body, HMAC-SHA256 over a signature base of the same length), no parsing, no key.
// Each computed the cheapest way this codebase knows (binary-string digests, the prepared HMAC key),
// so that the verifier can't beat its own ceiling by doing the crypto better.
const ceilingKey = new HmacSha256Key(randomBytes(32));
async function cryptoOnly(request) {
  const h = request.headers;
  const base = `"@method": POST\n"@target-uri": http://${h.host}${request.url}\n"content-digest": ${h['content-digest']}\n"@signature-params": ${h['signature-input']}`;
  const digest = hash('sha256', request.rawBody, 'base64');
  const mac = ceilingKey.digest(base, 'base64');
  return { ok: digest.length + mac.length === 88, bytes: JSON.stringify(request.body).length };
}
tessera.server.post('/bench/crypto-only-post', cryptoOnly);
// The two yardsticks together: the bare SHA-256 + Map key check in front of the crypto alone.
// What a verifier with that key check would reach if parsing Signature-Input and Signature, checking
// created and keyid, building the signature base and remembering the signature cost nothing.
tessera.server.post('/bench/bare-check-crypto-post', { onRequest: bareKeyCheck }, cryptoOnly);

const url = await tessera.listen();

let closing = false;
async function shutdown(code) {
  if (closing) return;
  closing = true;
  try {
    await tessera.close();
  } finally {
    process.exit(code);
  }
}

// On request, the V8 CPU profiler (what `node --cpu-prof` uses), for a chosen window only.
let session = null;
async function profile(message) {
  if (message.type === 'profile-start') {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: message.intervalUs ?? 100 });
    await session.post('Profiler.start');
    process.send({ type: 'profile-started' });
  } else {
    const { profile: result } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(message.path, JSON.stringify(result));
    process.send({ type: 'profile-written', path: message.path });
  }
}

process.on('message', (message) => {
  if (message?.type === 'stop') void shutdown(0);
  else if (message?.type === 'profile-start' || message?.type === 'profile-stop') profile(message).catch((error) => process.send({ type: 'profile-error', message: String(error) }));
});
// The parent went away: don't linger.
process.on('disconnect', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

process.send({
  type: 'ready',
  url,
  pid: process.pid,
  logLevel: config.logLevel,
  infoEnabled: tessera.core.logger.isLevelEnabled('info'),
  operatorId: tessera.bootstrap.operator.id,
  sandboxKey: tessera.bootstrap.issued?.sandbox.secret ?? null,
});
