import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { generateSecret } from '../../src/domain/key-format.js';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey, openLive, type IssuedKey } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { hmacKeyOf, librarySign } from '../helpers/signing.js';

// Ozura: "You have two API keys ... Vault API Key X-API-KEY ... Merchant API
// Key X-OZURA-API-KEY ... Both are required." One route is configured to need
// both at once: a secret key in X-API-KEY and a restricted key in X-OZURA-API-KEY.
const ROUTES = [
  {
    method: 'GET',
    // As Fastify's onRoute reports the route: its declared path.
    url: '/v1/accounts/:accountId',
    credentials: [
      { header: 'x-api-key', kind: 'secret' },
      { header: 'x-ozura-api-key', kind: 'restricted' },
    ],
  },
];

describe('routes that need two credentials', () => {
  let server: TestServer;
  let api: Api;
  let merchantId: string;
  let otherId: string;
  let vault: IssuedKey;
  let merchantKey: IssuedKey;
  let otherVault: IssuedKey;
  let otherMerchantKey: IssuedKey;

  beforeAll(async () => {
    server = await startTestServer({ env: { TESSERA_TWO_CREDENTIAL_ROUTES: JSON.stringify(ROUTES), TESSERA_TRUSTED_PROXIES: '127.0.0.1' } });
    api = new Api(server.url);
    const op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Two keys' });
    otherId = await createAccount(api, op, { type: 'merchant', name: 'Another merchant' });
    vault = await createKey(api, op, merchantId, { kind: 'secret', name: 'vault' });
    merchantKey = await createKey(api, op, merchantId, { kind: 'restricted', name: 'merchant', permissions: ['accounts.read'] });
    otherVault = await createKey(api, op, otherId, { kind: 'secret' });
    otherMerchantKey = await createKey(api, op, otherId, { kind: 'restricted', permissions: ['accounts.read'] });
    await openLive(api, server.operatorKeys.live, merchantId);
  });
  afterAll(() => server.close());

  const read = (headers: Record<string, string>, accountId = merchantId) => api.get(`/v1/accounts/${accountId}`, { headers });
  const both = (a: string, b: string) => ({ 'x-api-key': a, 'x-ozura-api-key': b });

  function expectNamed(response: ApiResponse, status: number, code: string, header: string): void {
    expectError(response, status, code, header);
    expect(response.body.error.message).toContain(header);
  }

  it('both valid keys of one account: 200', async () => {
    const response = await read(both(vault.secret, merchantKey.secret));
    expect(response.status, response.text).toBe(200);
    expect(response.body.id).toBe(merchantId);
    expect((await read(both(otherVault.secret, otherMerchantKey.secret), otherId)).status).toBe(200);
  });

  it('one missing: 401 naming that header', async () => {
    for (const [headers, missing] of [
      [{ 'x-ozura-api-key': merchantKey.secret }, 'x-api-key'],
      [{ 'x-api-key': vault.secret }, 'x-ozura-api-key'],
      [{ 'x-api-key': vault.secret, 'x-ozura-api-key': '' }, 'x-ozura-api-key'],
      [{ authorization: `Bearer ${vault.secret}`, 'x-ozura-api-key': merchantKey.secret }, 'x-api-key'],
      [{}, 'x-api-key'],
    ] as const) {
      const response = await read(headers);
      expectNamed(response, 401, 'missing_credential', missing);
      expect(response.body.error.message).toMatch(/needs two keys: a secret key in x-api-key and a restricted key in x-ozura-api-key/);
    }
  });

  it('a value far longer than any key: 401 malformed_credential naming its header, as on single-key routes', async () => {
    const response = await read(both(vault.secret, `${merchantKey.secret}${'x'.repeat(5000)}`));
    expectNamed(response, 401, 'malformed_credential', 'x-ozura-api-key');
    expect(response.body.error.message).toContain('far longer than any key');
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('a key of the wrong kind: 403 naming its header', async () => {
    expectNamed(await read(both(merchantKey.secret, merchantKey.secret)), 403, 'permission_denied', 'x-api-key');
    expectNamed(await read(both(vault.secret, vault.secret)), 403, 'permission_denied', 'x-ozura-api-key');
    const publishable = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'publishable' });
    expectNamed(await read(both(vault.secret, publishable.secret)), 403, 'permission_denied', 'x-ozura-api-key');
  });

  it('keys of two different accounts (or environments): 403 credential_account_mismatch', async () => {
    const response = await read(both(vault.secret, otherMerchantKey.secret));
    expectError(response, 403, 'credential_account_mismatch', 'x-ozura-api-key');
    expect(response.body.error.message).toMatch(/x-api-key and x-ozura-api-key belong to different accounts/);
    expectError(await read(both(otherVault.secret, merchantKey.secret)), 403, 'credential_account_mismatch');
    const liveMerchantKey = await createKey(api, server.operatorKeys.live, merchantId, { kind: 'restricted', permissions: ['accounts.read'] });
    expectError(await read(both(vault.secret, liveMerchantKey.secret)), 403, 'credential_account_mismatch');
  });

  it('a disabled, deleted or unknown key: 401 naming its header', async () => {
    const op = server.operatorKeys.sandbox;
    const spare = await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read'] });
    expect((await read(both(vault.secret, spare.secret))).status).toBe(200);
    expect((await api.patch(`/v1/accounts/${merchantId}/keys/${spare.id}`, { enabled: false }, { key: op })).status).toBe(200);
    const disabled = await read(both(vault.secret, spare.secret));
    expectNamed(disabled, 401, 'credential_disabled', 'x-ozura-api-key');
    expect(disabled.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const spareVault = await createKey(api, op, merchantId, { kind: 'secret' });
    expect((await api.patch(`/v1/accounts/${merchantId}/keys/${spareVault.id}`, { enabled: false }, { key: op })).status).toBe(200);
    expectNamed(await read(both(spareVault.secret, merchantKey.secret)), 401, 'credential_disabled', 'x-api-key');
    expect((await api.delete(`/v1/accounts/${merchantId}/keys/${spareVault.id}`, { key: op })).status).toBe(200);
    expectNamed(await read(both(spareVault.secret, merchantKey.secret)), 401, 'credential_deleted', 'x-api-key');
    expectNamed(await read(both(vault.secret, generateSecret('tsr', 'restricted', 'sandbox'))), 401, 'unknown_credential', 'x-ozura-api-key');
    expectNamed(await read(both('tsr_sk_sandbox_typo', merchantKey.secret)), 401, 'malformed_credential', 'x-api-key');
  });

  it('the principal is the first key: tenancy applies to the account in the path', async () => {
    expectError(await read(both(vault.secret, merchantKey.secret), otherId), 404, 'resource_not_found');
  });

  it('is refused over plain HTTP where the environment requires HTTPS, like every other route', async () => {
    const liveVault = await createKey(api, server.operatorKeys.live, merchantId, { kind: 'secret' });
    const liveMerchant = await createKey(api, server.operatorKeys.live, merchantId, { kind: 'restricted', permissions: ['accounts.read'] });
    // Directly from this machine: allowed (see https-only.test.ts).
    expect((await read(both(liveVault.secret, liveMerchant.secret))).status).toBe(200);
    // A remote client through the trusted proxy, over HTTPS and then over plain HTTP.
    expect((await read({ ...both(liveVault.secret, liveMerchant.secret), 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https' })).status).toBe(200);
    const plain = await read({ ...both(liveVault.secret, liveMerchant.secret), 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'http' });
    expectError(plain, 403, 'https_required');
    expect(plain.text).not.toContain(liveVault.secret);
    expect(plain.text).not.toContain(liveMerchant.secret);
  });

  it('refuses secret keys from a browser on this route too', async () => {
    expectError(await read({ ...both(vault.secret, merchantKey.secret), origin: 'https://shop.example' }), 403, 'secret_key_in_browser');
  });

  it('other routes, and other methods on the same path, take one key as usual', async () => {
    expect((await api.get(`/v1/accounts/${merchantId}/keys`, { key: merchantKey.secret })).status).toBe(403); // no keys.read: the usual check
    const keysReader = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'restricted', permissions: ['keys.read', 'accounts.update'] });
    expect((await api.get(`/v1/accounts/${merchantId}/keys`, { key: keysReader.secret })).status).toBe(200);
    expect((await api.patch(`/v1/accounts/${merchantId}`, { name: 'One key is enough here' }, { key: keysReader.secret })).status).toBe(200);
    // The configured route ignores a lone key, wherever it is sent.
    expectError(await read({ authorization: `Bearer ${vault.secret}` }), 401, 'missing_credential');
  });

  it('both keys must sign when both are signing keys', async () => {
    const op = server.operatorKeys.sandbox;
    const signingVault = await createKey(api, op, merchantId, { kind: 'secret', generateHMAC: true });
    const signingMerchant = await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read'], generateHMAC: true });
    const path = `/v1/accounts/${merchantId}`;
    const unsigned = await read(both(signingVault.secret, merchantKey.secret));
    expectError(unsigned, 401, 'signature_missing');
    const one = await librarySign({ method: 'GET', url: server.url + path, headers: both(signingVault.secret, signingMerchant.secret), key: hmacKeyOf(signingVault), nonce: 'first' });
    const onlyFirst = await api.nodeRequest('GET', path, one);
    expectError(onlyFirst, 401, 'signature_unknown_keyid');
    expect(onlyFirst.body.error.message).toContain(signingMerchant.id);
    const signedByVault = await librarySign({ method: 'GET', url: server.url + path, headers: both(signingVault.secret, merchantKey.secret), key: hmacKeyOf(signingVault), nonce: 'second' });
    expect((await api.nodeRequest('GET', path, signedByVault)).status).toBe(200);
  });
});

describe('two credentials of the same kind', () => {
  let server: TestServer;
  let api: Api;

  beforeAll(async () => {
    const routes = [{ method: 'get', url: '/v1/accounts/:accountId', credentials: [{ header: 'X-API-KEY', kind: 'secret' }, { header: 'X-OZURA-API-KEY', kind: 'secret' }] }];
    server = await startTestServer({ env: { TESSERA_TWO_CREDENTIAL_ROUTES: JSON.stringify(routes) } });
    api = new Api(server.url);
  });
  afterAll(() => server.close());

  it('needs two different keys: the same key twice is one credential', async () => {
    const op = server.operatorKeys.sandbox;
    const merchantId = await createAccount(api, op, { type: 'merchant', name: 'Same kind' });
    const first = await createKey(api, op, merchantId, { kind: 'secret' });
    const second = await createKey(api, op, merchantId, { kind: 'secret' });
    expect((await api.get(`/v1/accounts/${merchantId}`, { headers: { 'x-api-key': first.secret, 'x-ozura-api-key': second.secret } })).status).toBe(200);
    const twice = await api.get(`/v1/accounts/${merchantId}`, { headers: { 'x-api-key': first.secret, 'x-ozura-api-key': first.secret } });
    expectError(twice, 403, 'permission_denied', 'x-ozura-api-key');
    expect(twice.body.error.message).toMatch(/two different keys/);
  });

  it('configuration is validated', () => {
    const bad = ['{', '{}', '[{"method":"GET","url":"/v1/x","credentials":[{"header":"x-api-key","kind":"secret"}]}]', '[{"method":"GET","url":"/v1/x","credentials":[{"header":"bad header","kind":"secret"},{"header":"x-b","kind":"secret"}]}]', '[{"method":"GET","url":"/v1/x","credentials":[{"header":"x-a","kind":"client"},{"header":"x-b","kind":"secret"}]}]'];
    for (const value of bad) expect(() => loadConfig({ TESSERA_TWO_CREDENTIAL_ROUTES: value }), value).toThrow(/TESSERA_TWO_CREDENTIAL_ROUTES/);
    expect(loadConfig({ TESSERA_TWO_CREDENTIAL_ROUTES: JSON.stringify(ROUTES) }).twoCredentialRoutes).toEqual(ROUTES);
  });
});
