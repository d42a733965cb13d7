import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SHOP = 'https://shop.example';

// Ozura: "Never expose your API keys to the browser." A request with an
// Origin header comes from a web page: secret and restricted keys are refused
// there; publishable keys work from the origins their account lists.
describe('browser guard and allowed origins', () => {
  let server: TestServer;
  let api: Api;
  let merchantId: string;
  let otherMerchantId: string;
  let secret: { id: string; secret: string };
  let restricted: { id: string; secret: string };
  let publishable: { id: string; secret: string };
  let otherPublishable: { id: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    const op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
    otherMerchantId = await createAccount(api, op, { type: 'merchant', name: 'Other shop' });
    secret = await createKey(api, op, merchantId, { kind: 'secret' });
    restricted = await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read'] });
    publishable = await createKey(api, op, merchantId, { kind: 'publishable' });
    otherPublishable = await createKey(api, op, otherMerchantId, { kind: 'publishable' });
  });
  afterAll(() => server.close());

  /** A public operation, as a page's script would call it. */
  const fromPage = (key: string, origin: string | null, path = '/v1/operations') => api.get(path, { key, headers: origin === null ? {} : { origin } });

  function expectSecretKeyInBrowser(response: ApiResponse): void {
    expectError(response, 403, 'secret_key_in_browser');
    expect(response.body.error.type).toBe('permission_error');
    expect(response.body.error.message).toMatch(/Secret and restricted keys belong on your server, never in a web page; browsers use publishable keys/);
    // A refused answer gives the page nothing to read.
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  }

  it('refuses a secret or restricted key that arrives with an Origin header', async () => {
    for (const key of [secret, restricted, { secret: server.operatorKeys.sandbox }]) {
      for (const origin of [SHOP, 'http://localhost:3000', 'https://evil.example']) {
        expectSecretKeyInBrowser(await fromPage(key.secret, origin, `/v1/accounts/${merchantId}`));
        expectSecretKeyInBrowser(await fromPage(key.secret, origin));
      }
      // From a server (no Origin) the same key works.
      expect((await fromPage(key.secret, null, `/v1/accounts/${merchantId}`)).status).toBe(200);
    }
    // Whichever header carries the key.
    expectSecretKeyInBrowser(await api.get('/v1/operations', { headers: { origin: SHOP, 'x-api-key': secret.secret } }));
    expectSecretKeyInBrowser(await api.get('/v1/operations', { headers: { origin: SHOP, authorization: `Basic ${Buffer.from(`${secret.id}:${secret.secret}`).toString('base64')}` } }));
  });

  it('refuses a secret key from an opaque origin (Origin: null: sandboxed frames, file:// pages)', async () => {
    expectSecretKeyInBrowser(await fromPage(secret.secret, 'null', `/v1/accounts/${merchantId}`));
    // And a publishable key can't be used from there either: no account can list an opaque origin.
    expectError(await fromPage(publishable.secret, 'null'), 403, 'origin_not_allowed');
  });

  it("refuses a publishable key from an origin its account does not list", async () => {
    const response = await fromPage(publishable.secret, SHOP);
    expectError(response, 403, 'origin_not_allowed');
    expect(response.body.error.message).toContain(`The origin ${SHOP} is not in this account's allowedOrigins`);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    // From a server, a publishable key needs no origin.
    const fromServer = await fromPage(publishable.secret, null);
    expect(fromServer.status).toBe(200);
    expect(fromServer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('after PATCH allowedOrigins, the same request works and the page may read the answer', async () => {
    const op = server.operatorKeys.sandbox;
    // The key is cached from the refusals above: the change must reach it at once.
    const patched = await api.patch(`/v1/accounts/${merchantId}`, { allowedOrigins: [SHOP, 'http://localhost:3000/'] }, { key: op });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.allowedOrigins).toEqual([SHOP, 'http://localhost:3000']);
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: op })).body.allowedOrigins).toEqual([SHOP, 'http://localhost:3000']);

    for (const origin of [SHOP, 'http://localhost:3000']) {
      const response = await fromPage(publishable.secret, origin);
      expect(response.status, response.text).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
    }
    // Exactly those origins: not a sibling, another scheme or port, nor another account's key.
    for (const origin of ['https://evil.example', 'http://shop.example', 'https://shop.example:8443', 'https://sub.shop.example', 'http://localhost:3001']) {
      expectError(await fromPage(publishable.secret, origin), 403, 'origin_not_allowed');
    }
    expectError(await fromPage(otherPublishable.secret, SHOP), 403, 'origin_not_allowed');
    // Still no secret keys from that page.
    expectSecretKeyInBrowser(await fromPage(secret.secret, SHOP));
    // A publishable key from an allowed page still can't do what only servers do.
    expectError(await fromPage(publishable.secret, SHOP, `/v1/accounts/${merchantId}`), 403, 'permission_denied');

    const audit = await api.get(`/v1/accounts/${merchantId}/audit-events`, { key: op });
    expect(audit.body.data.some((e: { action: string }) => e.action === 'account.updated')).toBe(true);

    // Removing the origin closes it again at once.
    expect((await api.patch(`/v1/accounts/${merchantId}`, { allowedOrigins: ['http://localhost:3000'] }, { key: op })).status).toBe(200);
    expectError(await fromPage(publishable.secret, SHOP), 403, 'origin_not_allowed');
  });

  it('answers a CORS preflight with 204 and the access-control-allow-* headers', async () => {
    const preflight = await api.nodeRequest('OPTIONS', '/v1/operations', { origin: SHOP, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/\bGET\b/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/\bauthorization\b/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/\bcontent-type\b/);
    expect(Number(preflight.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(preflight.headers.get('vary')).toMatch(/\bOrigin\b/);
    expect(preflight.headers.get('request-id')).toMatch(/^req_/);
    expect(preflight.text).toBe('');
    // Through the environment prefix too; and without an Origin it is a plain OPTIONS.
    expect((await api.nodeRequest('OPTIONS', `/sandbox/v1/accounts/${merchantId}`, { origin: SHOP, 'access-control-request-method': 'GET' })).status).toBe(204);
    const plain = await api.nodeRequest('OPTIONS', '/v1/operations', {});
    expect(plain.status).toBe(204);
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses an origin that is not scheme://host[:port] with 400 naming allowedOrigins[i]; nothing changes', async () => {
    const op = server.operatorKeys.sandbox;
    const before = (await api.get(`/v1/accounts/${otherMerchantId}`, { key: op })).body.allowedOrigins;
    const cases: Array<[string[], number]> = [
      [['https://shop.example/checkout'], 0],
      [[SHOP, 'ftp://files.example'], 1],
      [['shop.example'], 0],
      [[SHOP, 'http://localhost:3000', 'https://user:pw@shop.example'], 2],
      [['https://shop.example?x=1'], 0],
      [['https://shop.example#top'], 0],
      [['*'], 0],
      [['null'], 0],
      [['javascript:alert(1)'], 0],
      [['https://'], 0],
    ];
    for (const [allowedOrigins, index] of cases) {
      const response = await api.patch(`/v1/accounts/${otherMerchantId}`, { allowedOrigins }, { key: op });
      expectError(response, 400, 'invalid_field', `allowedOrigins[${index}]`);
      expect(response.body.error.message).toContain(`allowedOrigins[${index}]`);
      expect(response.body.error.message).toMatch(/no path/);
    }
    expect((await api.get(`/v1/accounts/${otherMerchantId}`, { key: op })).body.allowedOrigins).toEqual(before);
    expectError(await fromPage(otherPublishable.secret, SHOP), 403, 'origin_not_allowed');
  });
});
