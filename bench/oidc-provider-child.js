// oidc-provider (panva, npm) in its own process, as the reference OAuth 2.0
// server for the token figure: client_credentials only, one client with the
// same id and secret as Tessera's, JWT access tokens (resource indicators with
// accessTokenFormat 'jwt', RFC 9068) signed with EdDSA (Ed25519), its default
// in-memory adapter. Speaks the same IPC as server-child.js: 'ready', 'stop'.
//
//   CLIENT_ID=… CLIENT_SECRET=… SCOPE=accounts.read node bench/oidc-provider-child.js
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const { CLIENT_ID, CLIENT_SECRET, SCOPE = 'accounts.read', HOST = '127.0.0.1' } = process.env;
if (!CLIENT_ID || !CLIENT_SECRET) throw new Error('CLIENT_ID and CLIENT_SECRET are required');

const signingKey = { ...generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }), kid: 'bench-ed25519', alg: 'EdDSA', use: 'sig' };
const server = createServer();
await new Promise((resolve) => server.listen(0, HOST, resolve));
const issuer = `http://${HOST}:${server.address().port}`;
const audience = `${issuer}/v1`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: SCOPE,
      token_endpoint_auth_method: 'client_secret_basic',
      // The only key is Ed25519; the client's (unused) ID tokens must be able to use it.
      id_token_signed_response_alg: 'EdDSA',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64')] },
  scopes: SCOPE.split(' '),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Every token is for the one API, as Tessera's are (its aud).
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: SCOPE, audience, accessTokenTTL: 900, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'EdDSA' } } }),
    },
  },
});
server.on('request', provider.callback());

let closing = false;
function shutdown(code) {
  if (closing) return;
  closing = true;
  server.close(() => process.exit(code));
  setTimeout(() => process.exit(code), 2000).unref();
}
process.on('message', (message) => {
  if (message?.type === 'stop') shutdown(0);
});
process.on('disconnect', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

process.send({ type: 'ready', url: issuer, pid: process.pid, logLevel: 'none', name: 'oidc-provider' });
