import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey, type IssuedKey } from '../helpers/fixtures.js';
import { basicAuthorization, createClient, decodeToken, expectNoStore, expectOAuthError, FORM, formBody, oauthPost, type ClientCredential } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// SPEC, OAuth 2.0 (Aurora): "POST /oauth/token with grant_type=client_credentials, client
// authentication by Basic or form body, scopes within the credential's permissions, RFC 6749 §5.2
// errors." Every error over real HTTP, then the success answer of §5.1.
describe('POST /oauth/token: RFC 6749 errors and answers', () => {
  let server: TestServer;
  let api: Api;
  let merchantId: string;
  let client: ClientCredential;
  let secretKey: IssuedKey;
  let restrictedKey: IssuedKey;
  /** Only from 203.0.113.0/24, which the tests present through a trusted proxy. */
  let fencedClient: ClientCredential;
  // The server's clock runs `offset` ms ahead of the real one.
  let offset = 0;
  const PERMISSIONS = ['accounts.read', 'keys.read', 'operations.list'];

  const grant = { grant_type: 'client_credentials' };
  const token = (params: Record<string, string> | Array<[string, string]>, call: Parameters<typeof oauthPost>[3] = {}) => oauthPost(api, '/oauth/token', params, call);
  const post = (body: Record<string, string>) => ({ client_id: client.clientId, client_secret: client.clientSecret, ...body });

  beforeAll(async () => {
    server = await startTestServer({ env: { TESSERA_TRUSTED_PROXIES: '127.0.0.1' }, now: () => Date.now() + offset });
    api = new Api(server.url);
    const op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
    client = await createClient(api, op, merchantId, { name: 'Backend', permissions: PERMISSIONS });
    secretKey = await createKey(api, op, merchantId, { kind: 'secret' });
    restrictedKey = await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read', 'oauth.token'] });
    fencedClient = await createClient(api, op, merchantId, { permissions: ['accounts.read'], allowedIps: ['203.0.113.0/24'] });
  });
  afterAll(() => server.close());

  describe('invalid_request (400)', () => {
    it('no grant_type, or one without a value (RFC 6749 §3.2: treated as omitted)', async () => {
      expectOAuthError(await token({}, { basic: client }), 400, 'invalid_request');
      expectOAuthError(await token(post({})), 400, 'invalid_request');
      expectOAuthError(await token({ grant_type: '' }, { basic: client }), 400, 'invalid_request');
    });

    it('a repeated parameter: grant_type, scope, client_id, client_secret', async () => {
      expectOAuthError(
        await token(
          [
            ['grant_type', 'client_credentials'],
            ['grant_type', 'client_credentials'],
          ],
          { basic: client },
        ),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await token(
          [
            ['grant_type', 'client_credentials'],
            ['scope', 'accounts.read'],
            ['scope', 'keys.read'],
          ],
          { basic: client },
        ),
        400,
        'invalid_request',
      );
      const twice = (name: string, value: string): Array<[string, string]> => [
        ['grant_type', 'client_credentials'],
        ['client_id', client.clientId],
        ['client_secret', client.clientSecret],
        [name, value],
      ];
      expectOAuthError(await token(twice('client_id', client.clientId)), 400, 'invalid_request');
      expectOAuthError(await token(twice('client_secret', client.clientSecret)), 400, 'invalid_request');
    });

    it('both HTTP Basic and client_secret in the body', async () => {
      const both = await token({ ...grant, client_secret: client.clientSecret }, { basic: client });
      expectOAuthError(both, 400, 'invalid_request');
      expect(both.body.error_description).toMatch(/one client authentication method/i);
    });

    it('client_id in the body differing from the Basic user', async () => {
      const other = await createClient(api, server.operatorKeys.sandbox, merchantId, { permissions: ['accounts.read'] });
      expectOAuthError(await token({ ...grant, client_id: other.clientId }, { basic: client }), 400, 'invalid_request');
    });

    it('a JSON body instead of a form, however correct its content', async () => {
      const json = await api.request('POST', '/oauth/token', { body: post(grant) });
      expectOAuthError(json, 400, 'invalid_request');
      expect(json.body.error_description).toMatch(/x-www-form-urlencoded/);
      // Also with Basic authentication and a JSON body.
      expectOAuthError(await api.request('POST', '/oauth/token', { body: grant, headers: { authorization: basicAuthorization(client.clientId, client.clientSecret) } }), 400, 'invalid_request');
      // And values that are not strings.
      expectOAuthError(await api.request('POST', '/oauth/token', { body: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: { $ne: null } } }), 400, 'invalid_request');
    });

    it('no body, or a body of another media type', async () => {
      expectOAuthError(await api.request('POST', '/oauth/token', { headers: { authorization: basicAuthorization(client.clientId, client.clientSecret) } }), 400, 'invalid_request');
      expectOAuthError(await api.request('POST', '/oauth/token', { raw: formBody(post(grant)), headers: { 'content-type': 'text/plain' } }), 400, 'invalid_request');
      expectOAuthError(await api.request('POST', '/oauth/token', { raw: formBody(post(grant)), headers: { 'content-type': 'multipart/form-data; boundary=x' } }), 400, 'invalid_request');
      expectOAuthError(await api.request('POST', '/oauth/token', { raw: Buffer.from([0x67, 0x72, 0xff, 0xfe, 0x3d]), headers: { 'content-type': FORM } }), 400, 'invalid_request');
    });

    it('no token parameter at /oauth/introspect and /oauth/revoke', async () => {
      for (const path of ['/oauth/introspect', '/oauth/revoke']) {
        expectOAuthError(await oauthPost(api, path, {}, { basic: client }), 400, 'invalid_request');
        expectOAuthError(await oauthPost(api, path, { token: '' }, { basic: client }), 400, 'invalid_request');
        expectOAuthError(
          await oauthPost(
            api,
            path,
            [
              ['token', 'a'],
              ['token', 'b'],
            ],
            { basic: client },
          ),
          400,
          'invalid_request',
        );
      }
    });
  });

  describe('invalid_client (401)', () => {
    const expectBasicChallenge = (response: ApiResponse) => {
      expectOAuthError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic( |$)/);
    };

    it('a wrong secret, by Basic (with a Basic challenge) and in the body', async () => {
      const other = await createClient(api, server.operatorKeys.sandbox, merchantId, { permissions: ['accounts.read'] });
      // Another client's real secret with this client's id; a well-formed secret nobody holds; garbage.
      const wrongSecrets = [other.clientSecret, `${client.clientSecret.slice(0, -8)}AAAAAAAA`, 'hunter2', ''];
      for (const secret of wrongSecrets) {
        expectBasicChallenge(await token(grant, { basic: { clientId: client.clientId, clientSecret: secret } }));
        const body = await token({ ...grant, client_id: client.clientId, client_secret: secret });
        expectOAuthError(body, 401, 'invalid_client');
      }
    });

    it('an unknown client id, with its own valid-looking secret', async () => {
      expectBasicChallenge(await token(grant, { basic: { clientId: 'key_doesnotexist', clientSecret: client.clientSecret } }));
      expectOAuthError(await token({ ...grant, client_id: 'key_doesnotexist', client_secret: client.clientSecret }), 401, 'invalid_client');
    });

    it('Basic credentials that are not base64 of id:secret, or not valid form-urlencoding', async () => {
      expectBasicChallenge(await token(grant, { headers: { authorization: `Basic ${Buffer.from('no-colon-here').toString('base64')}` } }));
      expectBasicChallenge(await token(grant, { headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:%E0%A4%A`).toString('base64')}` } }));
    });

    it('no client authentication at all', async () => {
      expectOAuthError(await token(grant), 401, 'invalid_client');
      expectOAuthError(await token({ ...grant, client_id: client.clientId }), 401, 'invalid_client');
      expectOAuthError(await token({ ...grant, client_secret: client.clientSecret }), 401, 'invalid_client');
    });

    it('a disabled client, and the same client enabled again', async () => {
      const op = server.operatorKeys.sandbox;
      const c = await createClient(api, op, merchantId, { permissions: ['accounts.read'] });
      expect((await token(grant, { basic: c })).status).toBe(200);
      expect((await api.patch(`/v1/accounts/${merchantId}/keys/${c.id}`, { enabled: false }, { key: op })).status).toBe(200);
      expectBasicChallenge(await token(grant, { basic: c }));
      expectOAuthError(await token({ ...grant, client_id: c.clientId, client_secret: c.clientSecret }), 401, 'invalid_client');
      expect((await api.patch(`/v1/accounts/${merchantId}/keys/${c.id}`, { enabled: true }, { key: op })).status).toBe(200);
      expect((await token(grant, { basic: c })).status).toBe(200);
    });

    it('a deleted client', async () => {
      const op = server.operatorKeys.sandbox;
      const c = await createClient(api, op, merchantId, { permissions: ['accounts.read'] });
      expect((await token(grant, { basic: c })).status).toBe(200);
      expect((await api.delete(`/v1/accounts/${merchantId}/keys/${c.id}`, { key: op })).status).toBe(200);
      expectBasicChallenge(await token(grant, { basic: c }));
    });

    it('an expired client', async () => {
      const c = await createClient(api, server.operatorKeys.sandbox, merchantId, { permissions: ['accounts.read'], expiresAt: new Date(Date.now() + offset + 60_000).toISOString() });
      expect((await token(grant, { basic: c })).status).toBe(200);
      offset += 61_000;
      try {
        expectBasicChallenge(await token(grant, { basic: c }));
        expectOAuthError(await token({ ...grant, client_id: c.clientId, client_secret: c.clientSecret }), 401, 'invalid_client');
      } finally {
        offset -= 61_000;
      }
    });
  });

  describe('invalid_scope (400)', () => {
    it("a scope outside the credential's permissions, or naming no operation at all", async () => {
      for (const scope of ['keys.create', 'accounts.read keys.create', 'payment_requests.create', 'no.such.operation', 'accounts.read\tkeys.read']) {
        const response = await token({ ...grant, scope }, { basic: client });
        expectOAuthError(response, 400, 'invalid_scope');
      }
    });

    it('an empty scope: a value that names no scope at all', async () => {
      for (const scope of [' ', '   ']) expectOAuthError(await token({ ...grant, scope }, { basic: client }), 400, 'invalid_scope');
      // `scope=` without a value is as if omitted (RFC 6749 §3.2): every permission.
      const omitted = await token({ ...grant, scope: '' }, { basic: client });
      expect(omitted.status, omitted.text).toBe(200);
      expect(omitted.body.scope).toBe(PERMISSIONS.join(' '));
    });
  });

  describe('unsupported_grant_type (400)', () => {
    it('authorization_code, password, refresh_token and anything else', async () => {
      for (const grantType of ['authorization_code', 'password', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'CLIENT_CREDENTIALS', ' client_credentials']) {
        expectOAuthError(await token({ grant_type: grantType, username: 'u', password: 'p', code: 'c' }, { basic: client }), 400, 'unsupported_grant_type');
      }
    });
  });

  describe('unauthorized_client (400)', () => {
    it('a valid secret key or restricted key authenticating with its key id and secret', async () => {
      for (const key of [secretKey, restrictedKey]) {
        const basic = await token(grant, { basic: { clientId: key.id, clientSecret: key.secret } });
        expectOAuthError(basic, 400, 'unauthorized_client');
        expect(basic.body.error_description).toContain('not a client credential');
        expectOAuthError(await token({ ...grant, client_id: key.id, client_secret: key.secret }), 400, 'unauthorized_client');
      }
      // The key itself still works as a key: nothing was disabled on the way.
      expect((await api.get(`/v1/accounts/${merchantId}`, { key: secretKey.secret })).status).toBe(200);
    });

    it('a client whose allowedIps exclude the caller (behind a trusted proxy)', async () => {
      const from = (ip: string) => ({ basic: fencedClient, headers: { 'x-forwarded-for': ip } });
      expectOAuthError(await token(grant, from('198.51.100.7')), 400, 'unauthorized_client');
      expectOAuthError(await token(grant, from('2001:db8::1')), 400, 'unauthorized_client');
      // Direct, from 127.0.0.1: not allowed either.
      expectOAuthError(await token(grant, { basic: fencedClient }), 400, 'unauthorized_client');
      // From inside its range it gets a token.
      const inside = await token(grant, from('203.0.113.9'));
      expect(inside.status, inside.text).toBe(200);
    });
  });

  describe('success (RFC 6749 §5.1)', () => {
    const expectTokenAnswer = (response: ApiResponse, scope: string) => {
      expect(response.status, response.text).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(response.body.token_type).toBe('Bearer');
      expect(response.body.expires_in).toBe(900);
      expect(response.body.scope).toBe(scope);
      expect(response.body.access_token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(decodeToken(response.body.access_token).claims.scope).toBe(scope);
      expectNoStore(response);
      expect(response.headers.get('pragma')).toBe('no-cache');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    };

    it('client_secret_basic and client_secret_post both work; the default scope is every permission', async () => {
      expectTokenAnswer(await token(grant, { basic: client }), PERMISSIONS.join(' '));
      expectTokenAnswer(await token(post(grant)), PERMISSIONS.join(' '));
      // The Basic user may be repeated in the body.
      expectTokenAnswer(await token({ ...grant, client_id: client.clientId }, { basic: client }), PERMISSIONS.join(' '));
      // Content-Type with a charset parameter.
      expectTokenAnswer(await api.request('POST', '/oauth/token', { raw: formBody(post(grant)), headers: { 'content-type': `${FORM}; charset=UTF-8` } }), PERMISSIONS.join(' '));
    });

    it('scope narrows the token, and the narrowed token can do no more', async () => {
      const narrowed = await token({ ...grant, scope: 'accounts.read' }, { basic: client });
      expectTokenAnswer(narrowed, 'accounts.read');
      const accessToken = narrowed.body.access_token as string;
      expect((await api.get(`/v1/accounts/${merchantId}`, { key: accessToken })).status).toBe(200);
      expect((await api.get(`/v1/accounts/${merchantId}/keys`, { key: accessToken })).status).toBe(403);
      // Duplicates collapse; extra spaces are ignored.
      expectTokenAnswer(await token({ ...grant, scope: ' keys.read  accounts.read keys.read ' }, { basic: client }), 'keys.read accounts.read');
      const full = await token(grant, { basic: client });
      expect((await api.get(`/v1/accounts/${merchantId}/keys`, { key: full.body.access_token })).status).toBe(200);
    });

    it('Basic credentials are form-urlencoded (RFC 6749 §2.3.1) and decoded', async () => {
      // Every character percent-encoded, even those that need not be: only a decoding server reads them right.
      const encodeAll = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
      const encoded = await token(grant, { headers: { authorization: basicAuthorization(client.clientId, client.clientSecret, encodeAll) } });
      expectTokenAnswer(encoded, PERMISSIONS.join(' '));
      // Plain (unencoded) credentials still work: none of their characters is special.
      expectTokenAnswer(await token(grant, { headers: { authorization: basicAuthorization(client.clientId, client.clientSecret, (s) => s) } }), PERMISSIONS.join(' '));
      // Case-insensitive scheme (RFC 7235).
      expectTokenAnswer(await token(grant, { headers: { authorization: basicAuthorization(client.clientId, client.clientSecret).replace('Basic', 'basic') } }), PERMISSIONS.join(' '));
    });
  });
});
