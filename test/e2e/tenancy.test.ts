import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey, type IssuedKey } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ALL_KEY_OPERATIONS = ['keys.create', 'keys.read', 'keys.update', 'keys.roll', 'keys.delete', 'audit_events.read'];

// Who may reach which account: SPEC's "A partner acts on its own sub-merchants only",
// "Any other account in the path answers 404, as if it did not exist".
describe('tenancy', () => {
  let server: TestServer;
  let api: Api;
  let op: string;
  let partnerId: string;
  let partnerKey: IssuedKey;
  let subMerchantId: string;
  let otherPartnerId: string;
  let strangerSubMerchantId: string;
  let strangerKey: IssuedKey;
  let directMerchantId: string;
  let directKey: IssuedKey;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
    partnerId = await createAccount(api, op, { type: 'partner', name: 'Platform A' });
    partnerKey = await createKey(api, op, partnerId, { kind: 'secret', name: 'Platform A server' });
    subMerchantId = await createAccount(api, partnerKey.secret, { type: 'merchant', name: 'A shop' });
    otherPartnerId = await createAccount(api, op, { type: 'partner', name: 'Platform B' });
    strangerSubMerchantId = await createAccount(api, op, { type: 'merchant', name: 'B shop', parentId: otherPartnerId });
    strangerKey = await createKey(api, op, strangerSubMerchantId, { kind: 'secret' });
    directMerchantId = await createAccount(api, op, { type: 'merchant', name: 'Direct shop' });
    directKey = await createKey(api, op, directMerchantId, { kind: 'secret' });
  });
  afterAll(() => server.close());

  /** Every management call on one account; `keyId` is a real key of that account. */
  function managementCalls(accountId: string, keyId: string, credential: string): [string, () => Promise<ApiResponse>][] {
    const base = `/v1/accounts/${accountId}`;
    return [
      ['GET account', () => api.get(base, { key: credential })],
      ['create key', () => api.post(`${base}/keys`, { kind: 'secret' }, { key: credential })],
      ['list keys', () => api.get(`${base}/keys`, { key: credential })],
      ['get key', () => api.get(`${base}/keys/${keyId}`, { key: credential })],
      ['disable key', () => api.patch(`${base}/keys/${keyId}`, { enabled: false }, { key: credential })],
      ['rename key', () => api.patch(`${base}/keys/${keyId}`, { name: 'pwned' }, { key: credential })],
      ['roll key', () => api.post(`${base}/keys/${keyId}/roll`, { gracePeriodSeconds: 0 }, { key: credential })],
      ['delete key', () => api.delete(`${base}/keys/${keyId}`, { key: credential })],
      ['audit events', () => api.get(`${base}/audit-events`, { key: credential })],
    ];
  }

  it("a partner's secret key manages its sub-merchant's keys: create, list, get, patch, roll, delete", async () => {
    const base = `/v1/accounts/${subMerchantId}`;
    const k = partnerKey.secret;
    const created = await api.post(`${base}/keys`, { kind: 'secret', name: 'made by partner' }, { key: k });
    expect(created.status, created.text).toBe(201);
    expect(created.body.accountId).toBe(subMerchantId);
    const keyId = created.body.id as string;
    expect((await api.get(base, { key: created.body.secret })).status).toBe(200);

    const listed = await api.get(`${base}/keys`, { key: k });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.data.map((x: { id: string }) => x.id)).toContain(keyId);
    const got = await api.get(`${base}/keys/${keyId}`, { key: k });
    expect(got.status).toBe(200);
    expect(got.body.name).toBe('made by partner');

    const patched = await api.patch(`${base}/keys/${keyId}`, { enabled: false, name: 'renamed' }, { key: k });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ enabled: false, name: 'renamed' });
    expectError(await api.get(base, { key: created.body.secret }), 401, 'credential_disabled');
    expect((await api.patch(`${base}/keys/${keyId}`, { enabled: true }, { key: k })).status).toBe(200);

    const rolled = await api.post(`${base}/keys/${keyId}/roll`, { gracePeriodSeconds: 0 }, { key: k });
    expect(rolled.status, rolled.text).toBe(200);
    expect((await api.get(base, { key: rolled.body.secret })).status).toBe(200);

    const audit = await api.get(`${base}/audit-events`, { key: k });
    expect(audit.status, audit.text).toBe(200);
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['key.created', 'key.disabled', 'key.enabled', 'key.rolled']));

    const deleted = await api.delete(`${base}/keys/${keyId}`, { key: k });
    expect(deleted.status, deleted.text).toBe(200);
    expectError(await api.get(base, { key: rolled.body.secret }), 401, 'credential_deleted');
  });

  describe("a partner touching a stranger's merchant gets 404 for every call, as if it did not exist", () => {
    const cases = [
      ["another partner's sub-merchant", () => ({ accountId: strangerSubMerchantId, key: strangerKey })],
      ['a merchant the operator created directly', () => ({ accountId: directMerchantId, key: directKey })],
    ] as const;
    for (const [label, target] of cases) {
      it(label, async () => {
        const { accountId, key } = target();
        for (const [call, send] of managementCalls(accountId, key.id, partnerKey.secret)) {
          const response = await send();
          expectError(response, 404, 'resource_not_found');
          expect(response.body.error.param, call).toBe('accountId');
          // Indistinguishable from an account that does not exist.
          expect(response.body.error.message, call).toBe(`No account with id ${JSON.stringify(accountId)} exists in this environment.`);
        }
        // Nothing happened to the stranger's key.
        expect((await api.get(`/v1/accounts/${accountId}`, { key: key.secret })).status).toBe(200);
        const theirs = await api.get(`/v1/accounts/${accountId}/keys/${key.id}`, { key: op });
        expect(theirs.body).toMatchObject({ enabled: true, name: 'Secret key', last4: key.secret.slice(-4), status: 'active' });
        const keys = await api.get(`/v1/accounts/${accountId}/keys`, { key: op });
        expect(keys.body.data).toHaveLength(1);
      });
    }

    it('the other partner itself and the operator account: 404 too', async () => {
      for (const accountId of [otherPartnerId, server.operatorId]) {
        expectError(await api.get(`/v1/accounts/${accountId}`, { key: partnerKey.secret }), 404, 'resource_not_found', 'accountId');
        expectError(await api.get(`/v1/accounts/${accountId}/keys`, { key: partnerKey.secret }), 404, 'resource_not_found', 'accountId');
        expectError(await api.post(`/v1/accounts/${accountId}/keys`, { kind: 'secret' }, { key: partnerKey.secret }), 404, 'resource_not_found', 'accountId');
      }
    });
  });

  it("a merchant's own secret key can't manage its own keys (403 cannot_manage_own_keys) or create accounts", async () => {
    const own = await createKey(api, op, subMerchantId, { kind: 'secret' });
    const calls = managementCalls(subMerchantId, own.id, own.secret).filter(([call]) => call !== 'GET account');
    for (const [call, send] of calls) {
      const response = await send();
      expectError(response, 403, 'cannot_manage_own_keys');
      expect(response.body.error.message, call).toMatch(/can't manage its own account's keys/);
      expect(response.body.error.message, call).toMatch(/restricted key/);
    }
    expect((await api.get(`/v1/accounts/${subMerchantId}`, { key: own.secret })).status).toBe(200);
    // Nothing was minted, disabled, rolled or deleted.
    const keys = await api.get(`/v1/accounts/${subMerchantId}/keys/${own.id}`, { key: op });
    expect(keys.body).toMatchObject({ status: 'active', last4: own.secret.slice(-4) });

    for (const body of [{ type: 'merchant', name: 'child' }, { type: 'partner', name: 'child' }, { type: 'merchant', name: 'child', parentId: subMerchantId }]) {
      expectError(await api.post('/v1/accounts', body, { key: own.secret }), 403, 'account_type_not_allowed');
    }
  });

  it('a restricted key created with the key-management operations manages its own account keys', async () => {
    const manager = await createKey(api, op, subMerchantId, { kind: 'restricted', permissions: ALL_KEY_OPERATIONS, name: 'key manager' });
    const base = `/v1/accounts/${subMerchantId}`;
    const m = manager.secret;
    const created = await api.post(`${base}/keys`, { kind: 'publishable' }, { key: m });
    expect(created.status, created.text).toBe(201);
    const keyId = created.body.id as string;
    expect((await api.get(`${base}/keys`, { key: m })).body.data.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([keyId, manager.id]));
    expect((await api.get(`${base}/keys/${keyId}`, { key: m })).status).toBe(200);
    expect((await api.patch(`${base}/keys/${keyId}`, { name: 'browser' }, { key: m })).status).toBe(200);
    const rolled = await api.post(`${base}/keys/${keyId}/roll`, {}, { key: m });
    expect(rolled.status, rolled.text).toBe(200);
    expect(rolled.body.secret).toMatch(/^tsr_pk_sandbox_/);
    expect((await api.get(`${base}/audit-events`, { key: m })).status).toBe(200);
    expect((await api.delete(`${base}/keys/${keyId}`, { key: m })).status).toBe(200);

    // Only its own account: every other account is 404.
    for (const [call, send] of managementCalls(strangerSubMerchantId, strangerKey.id, m)) {
      if (call === 'GET account') continue; // needs accounts.read, not named: 403 before any look-up
      expectError(await send(), 404, 'resource_not_found', 'accountId');
    }
    expectError(await api.get(`/v1/accounts/${partnerId}/keys`, { key: m }), 404, 'resource_not_found', 'accountId');
  });

  it('a restricted key that manages keys cannot issue or roll its way to more than it has', async () => {
    const manager = await createKey(api, op, subMerchantId, { kind: 'restricted', permissions: ALL_KEY_OPERATIONS, name: 'narrow manager' });
    const base = `/v1/accounts/${subMerchantId}`;
    const m = manager.secret;
    const before = (await api.get(`${base}/keys`, { key: op })).body.data.length;
    const secret = await api.post(`${base}/keys`, { kind: 'secret' }, { key: m });
    expectError(secret, 403, 'permission_denied');
    expect(secret.body.error.message).toMatch(/no more permissions than its own/);
    const wider = await api.post(`${base}/keys`, { kind: 'restricted', permissions: ['accounts.read'] }, { key: m });
    expectError(wider, 403, 'permission_denied');
    expect(wider.body.error.message).toContain('accounts.read');
    expect((await api.get(`${base}/keys`, { key: op })).body.data.length).toBe(before);
    const narrower = await api.post(`${base}/keys`, { kind: 'restricted', permissions: ['keys.read'] }, { key: m });
    expect(narrower.status, narrower.text).toBe(201);
    // Rolling a stronger key would hand its new secret to the weaker one.
    const strong = await createKey(api, op, subMerchantId, { kind: 'secret', name: 'strong' });
    expectError(await api.post(`${base}/keys/${strong.id}/roll`, {}, { key: m }), 403, 'permission_denied');
    expect((await api.get(`${base}/keys/${strong.id}`, { key: op })).body.last4).toBe(strong.secret.slice(-4));
  });

  it('a restricted key may do only the operations it names', async () => {
    const reader = await createKey(api, op, subMerchantId, { kind: 'restricted', permissions: ['keys.read'] });
    const base = `/v1/accounts/${subMerchantId}`;
    expect((await api.get(`${base}/keys`, { key: reader.secret })).status).toBe(200);
    const denied = await api.post(`${base}/keys`, { kind: 'secret' }, { key: reader.secret });
    expectError(denied, 403, 'permission_denied');
    expect(denied.body.error.message).toContain('keys.create');
    expectError(await api.patch(`${base}/keys/${reader.id}`, { enabled: false }, { key: reader.secret }), 403, 'permission_denied');
    expectError(await api.post(`${base}/keys/${reader.id}/roll`, {}, { key: reader.secret }), 403, 'permission_denied');
    expectError(await api.delete(`${base}/keys/${reader.id}`, { key: reader.secret }), 403, 'permission_denied');
    expectError(await api.get(`${base}/audit-events`, { key: reader.secret }), 403, 'permission_denied');
    expect((await api.get(`${base}/keys/${reader.id}`, { key: op })).body.status).toBe('active');
  });

  it("a partner's secret key can't manage the partner's own keys: 403 cannot_manage_own_keys", async () => {
    for (const [call, send] of managementCalls(partnerId, partnerKey.id, partnerKey.secret)) {
      if (call === 'GET account' || call === 'audit events') continue;
      const response = await send();
      expectError(response, 403, 'cannot_manage_own_keys');
      expect(response.body.error.message, call).toMatch(/restricted key/);
    }
    const keys = await api.get(`/v1/accounts/${partnerId}/keys`, { key: op });
    expect(keys.body.data).toHaveLength(1);
    expect(keys.body.data[0]).toMatchObject({ id: partnerKey.id, status: 'active', name: 'Platform A server', last4: partnerKey.secret.slice(-4) });
    expect((await api.get(`/v1/accounts/${partnerId}`, { key: partnerKey.secret })).status).toBe(200);
  });

  describe('partners create sub-merchants through POST /v1/accounts', () => {
    it('the parent is always the partner itself', async () => {
      const implicit = await api.post('/v1/accounts', { type: 'merchant', name: 'implicit' }, { key: partnerKey.secret });
      expect(implicit.status, implicit.text).toBe(201);
      expect(implicit.body).toMatchObject({ type: 'merchant', parentId: partnerId, liveEnabled: false });
      const explicit = await api.post('/v1/accounts', { type: 'merchant', name: 'explicit', parentId: partnerId }, { key: partnerKey.secret });
      expect(explicit.status, explicit.text).toBe(201);
      expect(explicit.body.parentId).toBe(partnerId);
      // And the partner reaches them at once.
      expect((await api.get(`/v1/accounts/${implicit.body.id}`, { key: partnerKey.secret })).body.parentId).toBe(partnerId);
      expect((await api.post(`/v1/accounts/${explicit.body.id}/keys`, { kind: 'secret' }, { key: partnerKey.secret })).status).toBe(201);
    });

    it('parentId of another account: 400 naming parentId, and nothing is created', async () => {
      const before = (await api.get('/v1/accounts', { key: op })).body.data.length;
      for (const parentId of [otherPartnerId, server.operatorId, subMerchantId, 'acct_nothere']) {
        const response = await api.post('/v1/accounts', { type: 'merchant', name: 'hijack', parentId }, { key: partnerKey.secret });
        expectError(response, 400, 'invalid_field', 'parentId');
      }
      expect((await api.get('/v1/accounts', { key: op })).body.data.length).toBe(before);
      expect((await api.get('/v1/accounts', { key: op })).body.data.some((a: { name: string }) => a.name === 'hijack')).toBe(false);
    });

    it('a partner cannot create partners', async () => {
      expectError(await api.post('/v1/accounts', { type: 'partner', name: 'sub-partner' }, { key: partnerKey.secret }), 403, 'account_type_not_allowed', 'type');
    });
  });

  it('the operator can GET any account', async () => {
    for (const id of [server.operatorId, partnerId, subMerchantId, otherPartnerId, strangerSubMerchantId, directMerchantId]) {
      const response = await api.get(`/v1/accounts/${id}`, { key: op });
      expect(response.status, response.text).toBe(200);
      expect(response.body.id).toBe(id);
    }
    expectError(await api.get('/v1/accounts/acct_nothere', { key: op }), 404, 'resource_not_found', 'accountId');
  });

  it('a merchant sees only itself: not its partner, not a sibling', async () => {
    const own = await createKey(api, op, subMerchantId, { kind: 'secret' });
    const sibling = await createAccount(api, partnerKey.secret, { type: 'merchant', name: 'sibling' });
    expect((await api.get(`/v1/accounts/${subMerchantId}`, { key: own.secret })).status).toBe(200);
    for (const id of [partnerId, sibling, strangerSubMerchantId, server.operatorId]) {
      expectError(await api.get(`/v1/accounts/${id}`, { key: own.secret }), 404, 'resource_not_found', 'accountId');
    }
  });

  it('GET /v1/accounts lists only what the caller may see', async () => {
    const ids = async (key: string) => {
      const response = await api.get('/v1/accounts', { key });
      expect(response.status, response.text).toBe(200);
      return (response.body.data as { id: string }[]).map((a) => a.id);
    };
    const everything = await ids(op);
    expect(everything).toEqual(expect.arrayContaining([server.operatorId, partnerId, subMerchantId, otherPartnerId, strangerSubMerchantId, directMerchantId]));

    const partnerSees = await ids(partnerKey.secret);
    expect(partnerSees).toContain(partnerId);
    expect(partnerSees).toContain(subMerchantId);
    for (const hidden of [server.operatorId, otherPartnerId, strangerSubMerchantId, directMerchantId]) expect(partnerSees).not.toContain(hidden);
    const partnerAccounts = (await api.get('/v1/accounts', { key: partnerKey.secret })).body.data as { id: string; parentId: string | null }[];
    for (const a of partnerAccounts) expect(a.id === partnerId || a.parentId === partnerId).toBe(true);

    const merchant = await createKey(api, op, subMerchantId, { kind: 'secret' });
    expect(await ids(merchant.secret)).toEqual([subMerchantId]);
    expect(await ids(directKey.secret)).toEqual([directMerchantId]);
  });
});
