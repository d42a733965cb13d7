import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// SPEC's outcome table, one row at a time, over HTTP against the real server.
describe('authentication outcomes', () => {
  let server: TestServer;
  let api: Api;
  let clock = Date.parse('2030-01-01T00:00:00Z');
  let merchantId: string;
  let partnerId: string;
  let merchantSecret: string;

  beforeAll(async () => {
    server = await startTestServer({ now: () => clock, env: { TESSERA_API_KEY_HEADERS: 'X-OZURA-API-KEY', TESSERA_LIVE_HOSTS: 'api.live.test', TESSERA_SANDBOX_HOSTS: 'api.sandbox.test' } });
    api = new Api(server.url);
    partnerId = await createAccount(api, server.operatorKeys.sandbox, { type: 'partner', name: 'Platform' });
    merchantId = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'Shop', parentId: partnerId });
    merchantSecret = (await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret' })).secret;
  });
  afterAll(() => server.close());

  async function expectAuthError(response: ApiResponse, status: number, code: string) {
    expect(response.status, response.text).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.request_id).toBe(response.headers.get('request-id'));
    if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="tessera"/);
  }

  it('accepts a valid key as Bearer, Basic, X-API-Key and a configured header', async () => {
    const keyId = (await api.get(`/v1/accounts/${merchantId}`, { key: merchantSecret })).status;
    expect(keyId).toBe(200);
    const listed = await api.get(`/v1/accounts/${partnerId}/keys`, { key: server.operatorKeys.sandbox });
    expect(listed.status).toBe(200);
    const issued = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret', name: 'basic' });
    const basic = Buffer.from(`${issued.id}:${issued.secret}`).toString('base64');
    expect((await api.get(`/v1/accounts/${merchantId}`, { headers: { authorization: `Basic ${basic}` } })).status).toBe(200);
    expect((await api.get(`/v1/accounts/${merchantId}`, { headers: { 'x-api-key': issued.secret } })).status).toBe(200);
    expect((await api.get(`/v1/accounts/${merchantId}`, { headers: { 'x-ozura-api-key': issued.secret } })).status).toBe(200);
  });

  it('401 missing: no credential at all, with a challenge', async () => {
    const response = await api.get(`/v1/accounts/${merchantId}`);
    await expectAuthError(response, 401, 'missing_credential');
    expect(response.headers.get('www-authenticate')).toContain('Basic realm="tessera"');
  });

  it('401 malformed: not a key of ours, an unknown scheme, broken Basic', async () => {
    await expectAuthError(await api.get(`/v1/accounts/${merchantId}`, { key: 'not-a-key' }), 401, 'malformed_credential');
    await expectAuthError(await api.get(`/v1/accounts/${merchantId}`, { key: merchantSecret.replace('tsr_', 'xyz_') }), 401, 'malformed_credential');
    await expectAuthError(await api.get(`/v1/accounts/${merchantId}`, { headers: { authorization: `Token ${merchantSecret}` } }), 401, 'malformed_credential');
    await expectAuthError(await api.get(`/v1/accounts/${merchantId}`, { headers: { authorization: 'Basic bm9jb2xvbg==' } }), 401, 'malformed_credential');
  });

  it('401 bad checksum: one character changed', async () => {
    const last = merchantSecret.at(-8) === 'a' ? 'b' : 'a';
    const typo = merchantSecret.slice(0, -8) + last + merchantSecret.slice(-7);
    await expectAuthError(await api.get(`/v1/accounts/${merchantId}`, { key: typo }), 401, 'invalid_checksum');
  });

  it('401 unknown: well-formed, valid checksum, never issued', async () => {
    // A key from another installation: right format, right checksum, not ours.
    const other = await startTestServer();
    try {
      await expectAuthError(await api.get(`/v1/accounts/${merchantId}`, { key: other.operatorKeys.sandbox }), 401, 'unknown_credential');
    } finally {
      await other.close();
    }
  });

  it('401 expired: past expiresAt by the server clock', async () => {
    const issued = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret', expiresAt: new Date(clock + 60_000).toISOString() });
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: issued.secret })).status).toBe(200);
    clock += 61_000;
    await expectAuthError(await api.get(`/v1/accounts/${merchantId}`, { key: issued.secret }), 401, 'credential_expired');
  });

  it('401 disabled, and back to 200 once enabled', async () => {
    const issued = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret' });
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: issued.secret })).status).toBe(200);
    expect((await api.patch(`/v1/accounts/${merchantId}/keys/${issued.id}`, { enabled: false }, { key: server.operatorKeys.sandbox })).status).toBe(200);
    await expectAuthError(await api.get(`/v1/accounts/${merchantId}`, { key: issued.secret }), 401, 'credential_disabled');
    expect((await api.patch(`/v1/accounts/${merchantId}/keys/${issued.id}`, { enabled: true }, { key: server.operatorKeys.sandbox })).status).toBe(200);
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: issued.secret })).status).toBe(200);
  });

  it('401 deleted', async () => {
    const issued = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret' });
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: issued.secret })).status).toBe(200);
    expect((await api.delete(`/v1/accounts/${merchantId}/keys/${issued.id}`, { key: server.operatorKeys.sandbox })).status).toBe(200);
    await expectAuthError(await api.get(`/v1/accounts/${merchantId}`, { key: issued.secret }), 401, 'credential_deleted');
  });

  it('401 when the Basic user is not the key id of the secret', async () => {
    const basic = Buffer.from(`key_someoneelse00000000:${merchantSecret}`).toString('base64');
    await expectAuthError(await api.get(`/v1/accounts/${merchantId}`, { headers: { authorization: `Basic ${basic}` } }), 401, 'key_id_mismatch');
  });

  it('403 operation: a restricted key without the permission, a publishable key on a private route', async () => {
    const restricted = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'restricted', permissions: ['accounts.read'] });
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: restricted.secret })).status).toBe(200);
    const denied = await api.get(`/v1/accounts/${merchantId}/keys`, { key: restricted.secret });
    await expectAuthError(denied, 403, 'permission_denied');
    expect(denied.body.error.message).toContain('keys.read');
    const publishable = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'publishable' });
    expect((await api.get('/v1/operations', { key: publishable.secret })).status).toBe(200);
    await expectAuthError(await api.get(`/v1/accounts/${merchantId}`, { key: publishable.secret }), 403, 'permission_denied');
  });

  it('403 environment: a sandbox key against the live host or the /live prefix', async () => {
    await expectAuthError(await api.nodeRequest('GET', `/v1/accounts/${merchantId}`, { authorization: `Bearer ${merchantSecret}`, host: 'api.live.test' }), 403, 'environment_mismatch');
    await expectAuthError(await api.get(`/live/v1/accounts/${merchantId}`, { key: merchantSecret }), 403, 'environment_mismatch');
    expect((await api.get(`/sandbox/v1/accounts/${merchantId}`, { key: merchantSecret })).status).toBe(200);
    expect((await api.nodeRequest('GET', `/v1/accounts/${merchantId}`, { authorization: `Bearer ${merchantSecret}`, host: 'api.sandbox.test:8080' })).status).toBe(200);
    await expectAuthError(await api.get(`/sandbox/v1/accounts/${server.operatorId}`, { key: server.operatorKeys.live }), 403, 'environment_mismatch');
  });

  it('429 over the rate limit, with Retry-After, then allowed again after the window', async () => {
    const limited = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret', rateLimit: { requests: 3, windowSeconds: 10 } });
    for (let i = 0; i < 3; i++) expect((await api.get(`/v1/accounts/${merchantId}`, { key: limited.secret })).status).toBe(200);
    const over = await api.get(`/v1/accounts/${merchantId}`, { key: limited.secret });
    await expectAuthError(over, 429, 'rate_limited');
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    clock += 25_000;
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: limited.secret })).status).toBe(200);
  });

  it('counts every outcome by reason in /metrics', async () => {
    const metrics = (await api.get('/metrics')).text;
    for (const outcome of ['ok', 'missing_credential', 'malformed_credential', 'invalid_checksum', 'unknown_credential', 'credential_disabled', 'permission_denied', 'environment_mismatch', 'rate_limited']) {
      expect(metrics).toMatch(new RegExp(`tessera_auth_outcomes_total\\{outcome="${outcome}"\\} [1-9]`));
    }
    expect(metrics).toContain('tessera_http_request_duration_seconds_bucket');
  });
});
