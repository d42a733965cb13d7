import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, openLive } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { createClient, decodeToken, expectOAuthError, issueToken, oauthPost, signToken, verifiesWithJwks, withClaims } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));
const LIVE_HOST = 'api.live.tessera.test';
const MAX_LIFETIME = 1800;

// SPEC: "Access tokens are JWTs (RFC 9068) ... default lifetime 15 minutes"; "Deleting or disabling
// the client kills its tokens at once"; a token goes through the same checks as a key.
describe('access tokens: claims, lifetime, and the checks of their client credential', () => {
  let server: TestServer;
  let api: Api;
  let merchantId: string;
  let op: string;
  /** The server's clock, frozen; tests move it forward only. */
  let clock = Date.now();
  const seconds = () => Math.floor(clock / 1000);

  const account = () => `/v1/accounts/${merchantId}`;
  const get = (token: string, path = account(), headers: Record<string, string> = {}) => api.request('GET', path, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const expectTokenRefused = (response: ApiResponse, status: number, code: string) => {
    expectError(response, status, code);
    if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="tessera", error="invalid_token"/);
  };
  const newClient = (body: Record<string, unknown> = {}) => createClient(api, op, merchantId, { permissions: ['accounts.read', 'keys.read'], ...body });

  beforeAll(async () => {
    server = await startTestServer({
      env: { TESSERA_OAUTH_MAX_TOKEN_LIFETIME_SECONDS: String(MAX_LIFETIME), TESSERA_LIVE_HOSTS: LIVE_HOST, TESSERA_TRUSTED_PROXIES: '127.0.0.1' },
      now: () => clock,
    });
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
  });
  afterAll(() => server.close());

  it('claims: RFC 9068 header and claims, signed by a key the JWKS publishes', async () => {
    const client = await newClient({ permissions: ['accounts.read', 'keys.read', 'operations.list'] });
    const response = await oauthPost(api, '/oauth/token', { grant_type: 'client_credentials', scope: 'keys.read accounts.read' }, { basic: client });
    expect(response.status, response.text).toBe(200);
    const { header, claims } = decodeToken(response.body.access_token);
    expect(header).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    const jwks = (await api.get('/.well-known/jwks.json')).body;
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);
    expect(jwks.keys.find((k: { kid: string }) => k.kid === header.kid)).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(verifiesWithJwks(response.body.access_token, jwks)).toBe(true);
    expect(claims).toEqual({
      iss: server.url,
      sub: client.id,
      aud: `${server.url}/v1`,
      exp: seconds() + 900,
      iat: seconds(),
      jti: expect.stringMatching(/^[0-9A-Za-z]{22}$/),
      client_id: client.id,
      scope: 'keys.read accounts.read',
      env: 'sandbox',
      acct: merchantId,
      ver: 0,
    });
    // The metadata names the same issuer and JWKS.
    const metadata = (await api.get('/.well-known/oauth-authorization-server')).body;
    expect(metadata).toMatchObject({ issuer: server.url, jwks_uri: `${server.url}/.well-known/jwks.json`, token_endpoint: `${server.url}/oauth/token`, grant_types_supported: ['client_credentials'] });
    // Every token has its own id.
    const again = decodeToken(await issueToken(api, client)).claims;
    expect(again.jti).not.toBe(claims.jti);
  });

  describe('lifetime', () => {
    it('defaults to 900 s', async () => {
      const response = await oauthPost(api, '/oauth/token', { grant_type: 'client_credentials' }, { basic: await newClient() });
      expect(response.body.expires_in).toBe(900);
      const { claims } = decodeToken(response.body.access_token);
      expect(claims.exp - claims.iat).toBe(900);
    });

    it("honours the credential's tokenLifetimeSeconds, up to the operator's maximum", async () => {
      for (const lifetime of [60, 120, MAX_LIFETIME]) {
        const response = await oauthPost(api, '/oauth/token', { grant_type: 'client_credentials' }, { basic: await newClient({ tokenLifetimeSeconds: lifetime }) });
        expect(response.body.expires_in).toBe(lifetime);
        const { claims } = decodeToken(response.body.access_token);
        expect(claims.exp - claims.iat).toBe(lifetime);
      }
    });

    it('refuses a tokenLifetimeSeconds above TESSERA_OAUTH_MAX_TOKEN_LIFETIME_SECONDS (or below 60, or on a key that is not a client) at creation', async () => {
      for (const lifetime of [MAX_LIFETIME + 1, 86_400, 59]) {
        const response = await api.post(`${account()}/keys`, { kind: 'client', permissions: ['accounts.read'], tokenLifetimeSeconds: lifetime }, { key: op });
        expectError(response, 400, 'invalid_field', 'tokenLifetimeSeconds');
      }
      const above = await api.post(`${account()}/keys`, { kind: 'client', permissions: ['accounts.read'], tokenLifetimeSeconds: MAX_LIFETIME + 1 }, { key: op });
      expect(above.body.error.message).toContain(String(MAX_LIFETIME));
      expectError(await api.post(`${account()}/keys`, { kind: 'restricted', permissions: ['accounts.read'], tokenLifetimeSeconds: 120 }, { key: op }), 400, 'invalid_field', 'tokenLifetimeSeconds');
      // Nothing was created by the refused calls.
      const listed = await api.get(`${account()}/keys`, { key: op });
      expect(listed.body.data.filter((k: { kind: string }) => k.kind === 'restricted')).toHaveLength(0);
    });
  });

  it('expires: valid one second before exp, 401 token_expired after (cached or first seen)', async () => {
    const client = await newClient({ tokenLifetimeSeconds: 120 });
    const used = await issueToken(api, client);
    const unused = await issueToken(api, client);
    const exp = decodeToken(used).claims.exp as number;
    expect((await get(used)).status).toBe(200);
    clock = (exp - 1) * 1000;
    expect((await get(used)).status).toBe(200);
    clock = (exp + 60) * 1000;
    const refused = await get(used);
    expectTokenRefused(refused, 401, 'token_expired');
    expect(refused.body.error.message).toContain(new Date(exp * 1000).toISOString());
    expectTokenRefused(await get(unused), 401, 'token_expired');
    // The client itself is fine: a new token works.
    expect((await get(await issueToken(api, client))).status).toBe(200);
  });

  describe('tokens die with their client credential, on the very next request', () => {
    it('disabled: 401 credential_revoked; enabled again: new tokens work, the old one stays dead', async () => {
      const client = await newClient();
      const token = await issueToken(api, client);
      for (let i = 0; i < 3; i++) expect((await get(token)).status).toBe(200);
      expect((await api.patch(`${account()}/keys/${client.id}`, { enabled: false }, { key: op })).status).toBe(200);
      const refused = await get(token);
      expectTokenRefused(refused, 401, 'credential_revoked');
      expect(refused.body.error.message).toContain('disabled');
      expect((await api.patch(`${account()}/keys/${client.id}`, { enabled: true }, { key: op })).status).toBe(200);
      expect((await get(await issueToken(api, client))).status).toBe(200);
      expectTokenRefused(await get(token), 401, 'credential_revoked');
    });

    it('deleted: 401 credential_revoked', async () => {
      const client = await newClient();
      const token = await issueToken(api, client);
      expect((await get(token)).status).toBe(200);
      expect((await api.delete(`${account()}/keys/${client.id}`, { key: op })).status).toBe(200);
      const refused = await get(token);
      expectTokenRefused(refused, 401, 'credential_revoked');
      expect(refused.body.error.message).toContain('deleted');
    });

    it('rolled with a grace period: the old secret still obtains tokens during grace, but tokens issued before the roll die', async () => {
      const client = await newClient();
      const before = await issueToken(api, client);
      expect((await get(before)).status).toBe(200);
      const rolled = await api.post(`${account()}/keys/${client.id}/roll`, { gracePeriodSeconds: 600 }, { key: op });
      expect(rolled.status, rolled.text).toBe(200);
      const renewed = { clientId: client.clientId, clientSecret: rolled.body.clientSecret as string };
      expect(renewed.clientSecret).toMatch(/^tsr_cc_sandbox_/);
      expect(renewed.clientSecret).not.toBe(client.clientSecret);

      const refused = await get(before);
      expectTokenRefused(refused, 401, 'credential_revoked');
      expect(refused.body.error.message).toContain('rolled');
      const duringGrace = await issueToken(api, client);
      expect((await get(duringGrace)).status).toBe(200);
      const withNewSecret = await issueToken(api, renewed);
      expect((await get(withNewSecret)).status).toBe(200);
      expect(decodeToken(withNewSecret).claims.ver).toBe(decodeToken(before).claims.ver + 1);

      // Grace over: the old secret is refused, tokens obtained after the roll live on.
      clock += 601_000;
      expectOAuthError(await oauthPost(api, '/oauth/token', { grant_type: 'client_credentials' }, { basic: client }), 401, 'invalid_client');
      expect((await get(duringGrace)).status).toBe(200);
      expect((await get(await issueToken(api, renewed))).status).toBe(200);
    });

    it('disabled by the CLI in its own process: refused on the next request', async () => {
      const client = await newClient();
      const token = await issueToken(api, client);
      for (let i = 0; i < 3; i++) expect((await get(token)).status).toBe(200);
      const { stdout } = await run(process.execPath, [BIN, 'keys', 'disable', '--account', merchantId, client.id, '--json'], { env: { ...process.env, ...server.env }, encoding: 'utf8', timeout: 30_000 });
      expect(JSON.parse(stdout.trim())).toMatchObject({ id: client.id, enabled: false });
      expectTokenRefused(await get(token), 401, 'credential_revoked');
    });
  });

  describe('the same checks as a key', () => {
    it('a sandbox token is refused on live routes (/live/ prefix, live host) with 403 environment_mismatch, and the other way round', async () => {
      const sandbox = await issueToken(api, await newClient());
      expect((await get(sandbox, `/sandbox${account()}`)).status).toBe(200);
      const prefixed = await get(sandbox, `/live${account()}`);
      expectError(prefixed, 403, 'environment_mismatch');
      expectError(await api.nodeRequest('GET', account(), { host: `${LIVE_HOST}:${new URL(server.url).port}`, authorization: `Bearer ${sandbox}` }), 403, 'environment_mismatch');

      await openLive(api, server.operatorKeys.live, merchantId);
      const liveClient = await createClient(api, server.operatorKeys.live, merchantId, { permissions: ['accounts.read'] });
      const live = await issueToken(api, liveClient);
      expect(decodeToken(live).claims.env).toBe('live');
      expect((await get(live, `/live${account()}`)).status).toBe(200);
      expect((await api.nodeRequest('GET', account(), { host: `${LIVE_HOST}:${new URL(server.url).port}`, authorization: `Bearer ${live}` })).status).toBe(200);
      expectError(await get(live, `/sandbox${account()}`), 403, 'environment_mismatch');
    });

    it("the client's IP allowlist applies to every use of its tokens", async () => {
      const client = await newClient({ allowedIps: ['203.0.113.0/24'] });
      const token = await issueToken(api, client, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect((await get(token, account(), { 'x-forwarded-for': '203.0.113.10' })).status).toBe(200);
      const outside = await get(token, account(), { 'x-forwarded-for': '198.51.100.1' });
      expectError(outside, 403, 'ip_not_allowed');
      expect(outside.body.error.message).toContain('198.51.100.1');
      expectError(await get(token), 403, 'ip_not_allowed');
    });

    it("the client's rate limit applies to its tokens: 429 with Retry-After", async () => {
      const client = await newClient({ rateLimit: { requests: 3, windowSeconds: 60 } });
      const token = await issueToken(api, client);
      const answers: ApiResponse[] = [];
      for (let i = 0; i < 4; i++) answers.push(await get(token));
      const limited = answers.findIndex((r) => r.status === 429);
      expect(limited, answers.map((r) => r.status).join(',')).toBeGreaterThanOrEqual(1);
      expect(limited).toBeLessThanOrEqual(3);
      for (const r of answers.slice(0, limited)) expect(r.status).toBe(200);
      expectError(answers[limited]!, 429, 'rate_limited');
      expect(Number(answers[limited]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // The same budget covers the token endpoint: the client is limited there too.
      const atTokenEndpoint = await oauthPost(api, '/oauth/token', { grant_type: 'client_credentials' }, { basic: client });
      expect(atTokenEndpoint.status).toBe(429);
      expect(Number(atTokenEndpoint.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      clock += 121_000;
      expect((await get(token)).status).toBe(200);
    });

    it('an operation outside the scope: 403 permission_denied', async () => {
      const client = await newClient();
      const narrow = await issueToken(api, client, { scope: 'accounts.read' });
      expect((await get(narrow)).status).toBe(200);
      const denied = await get(narrow, `${account()}/keys`);
      expectError(denied, 403, 'permission_denied');
      expect(denied.body.error.message).toContain('keys.read');
      expect((await get(await issueToken(api, client), `${account()}/keys`)).status).toBe(200);
      // Nothing the client lacks: keys.create was never granted.
      expectError(await api.post(`${account()}/keys`, { kind: 'publishable' }, { key: narrow }), 403, 'permission_denied');
    });
  });

  describe('refused outright', () => {
    it('tampered tokens: changed payload, changed signature, alg none, HS256, another typ, another issuer or audience, unknown kid: 401 token_invalid', async () => {
      const client = await newClient();
      const token = await issueToken(api, client, { scope: 'accounts.read' });
      expect((await get(token)).status).toBe(200);
      const { header, claims, signingInput } = decodeToken(token);
      const signature = token.slice(signingInput.length + 1);
      // A middle character: the last one of an Ed25519 signature in base64url carries padding bits.
      const flipped = signature.slice(0, 40) + (signature[40] === 'A' ? 'B' : 'A') + signature.slice(41);
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const { privateKey } = server.tessera.signingKeys.signer();
      const hs256 = `${b64({ ...header, alg: 'HS256' })}.${b64(claims)}`;
      const tampered: Record<string, string> = {
        'wider scope': withClaims(token, (c) => ({ ...c, scope: 'accounts.read keys.read' })),
        'another account': withClaims(token, (c) => ({ ...c, acct: 'acct_someoneelse' })),
        'later exp': withClaims(token, (c) => ({ ...c, exp: c.exp + 3600 })),
        'changed signature': `${signingInput}.${flipped}`,
        'truncated signature': `${signingInput}.${signature.slice(0, 40)}`,
        'alg none, no signature': `${b64({ ...header, alg: 'none' })}.${b64(claims)}.`,
        'alg none, signature kept': `${b64({ ...header, alg: 'none' })}.${b64(claims)}.${signature}`,
        'HS256 keyed with the public key': `${hs256}.${Buffer.from('x').toString('base64url')}`,
        'typ JWT, validly signed': signToken({ ...header, typ: 'JWT' }, claims, privateKey),
        'no typ, validly signed': signToken({ alg: 'EdDSA', kid: header.kid }, claims, privateKey),
        'another issuer, validly signed': signToken(header, { ...claims, iss: 'https://evil.example' }, privateKey),
        'another audience, validly signed': signToken(header, { ...claims, aud: 'https://evil.example/v1' }, privateKey),
        'unknown kid': signToken({ ...header, kid: 'no-such-key' }, claims, privateKey),
        'no claims': signToken(header, {}, privateKey),
        'issued in the future': signToken(header, { ...claims, iat: claims.iat + 3600, exp: claims.exp + 3600 }, privateKey),
      };
      for (const [what, forged] of Object.entries(tampered)) {
        const response = await get(forged);
        expect(response.status, `${what}: ${response.text}`).toBe(401);
        expect(response.body.error.code, what).toBe('token_invalid');
        expectTokenRefused(response, 401, 'token_invalid');
      }
      // Not a compact JWS at all (a fourth segment): not a key either.
      expectTokenRefused(await get(`${token}.x`), 401, 'malformed_credential');
      // Control: the same forging, with nothing changed, passes; the original token still works.
      expect((await get(signToken(header, { ...claims, jti: 'forgedButValid0000000x' }, privateKey))).status).toBe(200);
      expect((await get(token)).status).toBe(200);
    });

    it('the client secret used directly as an API key: 401 client_secret_not_a_key', async () => {
      const client = await newClient();
      expectError(await get(client.clientSecret), 401, 'client_secret_not_a_key');
      expectError(await api.request('GET', account(), { headers: { 'x-api-key': client.clientSecret } }), 401, 'client_secret_not_a_key');
      const basic = await api.request('GET', account(), { headers: { authorization: `Basic ${Buffer.from(`${client.id}:${client.clientSecret}`).toString('base64')}` } });
      expectError(basic, 401, 'client_secret_not_a_key');
    });

    it('an access token sent with an Origin header: 403 secret_key_in_browser', async () => {
      const token = await issueToken(api, await newClient());
      expectError(await get(token, account(), { origin: 'https://shop.example' }), 403, 'secret_key_in_browser');
      expectError(await get(token, account(), { origin: 'null' }), 403, 'secret_key_in_browser');
      expect((await get(token)).status).toBe(200);
    });
  });
});
