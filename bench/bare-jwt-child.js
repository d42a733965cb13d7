// The ceiling for the token figure: a bare Fastify route (the same Fastify as
// Tessera's, no logger, no hooks) that only signs an EdDSA JWT with the same
// claims as a Tessera access token and answers it as a token response. It
// reads the same form body (unparsed) and checks neither client nor scope. It
// signs as Tessera does (libsodium, src/crypto/ed25519.ts), so it stays the ceiling.
// Speaks the same IPC as server-child.js: 'ready', 'stop'.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { Ed25519PrivateKey } from '../dist/crypto/ed25519.js';

const privateKey = Ed25519PrivateKey.fromPkcs8(generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }));
const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid: 'bare' })).toString('base64url');
const app = Fastify({ logger: false });
// The body is taken as it comes: parsing it is part of what this route does not do.
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));

let issuer = '';
app.post('/oauth/token', async (_request, reply) => {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, sub: 'key_bare', aud: `${issuer}/v1`, exp: iat + 900, iat, jti: randomBytes(16).toString('base64url'), client_id: 'key_bare', scope: 'accounts.read', env: 'sandbox', acct: 'acct_bare', ver: 0 };
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const token = `${input}.${privateKey.signBase64url(Buffer.from(input))}`;
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send({ access_token: token, token_type: 'Bearer', expires_in: 900, scope: 'accounts.read' });
});

issuer = await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: 0 });

let closing = false;
function shutdown(code) {
  if (closing) return;
  closing = true;
  app.close().finally(() => process.exit(code));
}
process.on('message', (message) => {
  if (message?.type === 'stop') shutdown(0);
});
process.on('disconnect', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

process.send({ type: 'ready', url: issuer, pid: process.pid, logLevel: 'none', name: 'bare Fastify' });
