import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createAccount, createKey, openLive, type IssuedKey } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// SPEC: "sandbox and live, fully isolated ... A credential of one can never read or change the other's data."
describe('environment isolation', () => {
  let server: TestServer;
  let api: Api;
  let sandboxOp: string;
  let liveOp: string;
  let merchantId: string;
  let liveKey: IssuedKey;
  let sandboxKey: IssuedKey;
  let base: string;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    sandboxOp = server.operatorKeys.sandbox;
    liveOp = server.operatorKeys.live;
    merchantId = await createAccount(api, sandboxOp, { type: 'merchant', name: 'Shop' });
    await openLive(api, liveOp, merchantId);
    base = `/v1/accounts/${merchantId}`;
    liveKey = await createKey(api, liveOp, merchantId, { kind: 'restricted', permissions: ['accounts.read'], name: 'live one' });
    sandboxKey = await createKey(api, sandboxOp, merchantId, { kind: 'restricted', permissions: ['accounts.read'], name: 'sandbox one' });
  });
  afterAll(() => server.close());

  async function expectUntouched(key: IssuedKey, operatorKey: string) {
    const got = await api.get(`${base}/keys/${key.id}`, { key: operatorKey });
    expect(got.status, got.text).toBe(200);
    expect(got.body).toMatchObject({ enabled: true, status: 'active', last4: key.secret.slice(-4) });
    expect(got.body.name).toMatch(/ one$/);
    expect((await api.get(base, { key: key.secret })).status).toBe(200);
  }

  it('a sandbox credential asking for a live key by its id gets 404: GET, PATCH, roll, DELETE', async () => {
    const path = `${base}/keys/${liveKey.id}`;
    expectError(await api.get(path, { key: sandboxOp }), 404, 'resource_not_found', 'keyId');
    expectError(await api.patch(path, { enabled: false }, { key: sandboxOp }), 404, 'resource_not_found', 'keyId');
    expectError(await api.patch(path, { name: 'renamed from sandbox' }, { key: sandboxOp }), 404, 'resource_not_found', 'keyId');
    expectError(await api.post(`${path}/roll`, { gracePeriodSeconds: 0 }, { key: sandboxOp }), 404, 'resource_not_found', 'keyId');
    expectError(await api.delete(path, { key: sandboxOp }), 404, 'resource_not_found', 'keyId');
    await expectUntouched(liveKey, liveOp);
  });

  it('and a live credential asking for a sandbox key gets 404 the same way', async () => {
    const path = `${base}/keys/${sandboxKey.id}`;
    expectError(await api.get(path, { key: liveOp }), 404, 'resource_not_found', 'keyId');
    expectError(await api.patch(path, { enabled: false }, { key: liveOp }), 404, 'resource_not_found', 'keyId');
    expectError(await api.post(`${path}/roll`, {}, { key: liveOp }), 404, 'resource_not_found', 'keyId');
    expectError(await api.delete(path, { key: liveOp }), 404, 'resource_not_found', 'keyId');
    await expectUntouched(sandboxKey, sandboxOp);
  });

  it("the same holds for the account's own restricted key managing keys", async () => {
    const sandboxManager = await createKey(api, sandboxOp, merchantId, { kind: 'restricted', permissions: ['keys.read', 'keys.update', 'keys.roll', 'keys.delete'] });
    const path = `${base}/keys/${liveKey.id}`;
    expectError(await api.get(path, { key: sandboxManager.secret }), 404, 'resource_not_found', 'keyId');
    expectError(await api.patch(path, { enabled: false }, { key: sandboxManager.secret }), 404, 'resource_not_found', 'keyId');
    expectError(await api.post(`${path}/roll`, {}, { key: sandboxManager.secret }), 404, 'resource_not_found', 'keyId');
    expectError(await api.delete(path, { key: sandboxManager.secret }), 404, 'resource_not_found', 'keyId');
    const listed = await api.get(`${base}/keys?includeDeleted=true`, { key: sandboxManager.secret });
    expect(listed.body.data.map((k: { id: string }) => k.id)).not.toContain(liveKey.id);
    await expectUntouched(liveKey, liveOp);
  });

  it("an account's key list shows only the caller's environment, deleted keys included", async () => {
    const deletedLive = await createKey(api, liveOp, merchantId, { kind: 'secret' });
    await api.delete(`${base}/keys/${deletedLive.id}`, { key: liveOp });
    for (const query of ['', '?includeDeleted=true']) {
      const sandboxList = await api.get(`${base}/keys${query}`, { key: sandboxOp });
      expect(sandboxList.status).toBe(200);
      expect(sandboxList.body.data.length).toBeGreaterThan(0);
      for (const k of sandboxList.body.data) expect(k.environment).toBe('sandbox');
      expect(sandboxList.body.data.map((k: { id: string }) => k.id)).toContain(sandboxKey.id);

      const liveList = await api.get(`${base}/keys${query}`, { key: liveOp });
      expect(liveList.body.data.length).toBeGreaterThan(0);
      for (const k of liveList.body.data) expect(k.environment).toBe('live');
      expect(liveList.body.data.map((k: { id: string }) => k.id)).toContain(liveKey.id);
    }
    const withDeleted = await api.get(`${base}/keys?includeDeleted=true`, { key: liveOp });
    expect(withDeleted.body.data.map((k: { id: string }) => k.id)).toContain(deletedLive.id);
    expect((await api.get(`${base}/keys?includeDeleted=true`, { key: sandboxOp })).body.data.map((k: { id: string }) => k.id)).not.toContain(deletedLive.id);
  });

  it('audit events of live actions are invisible to a sandbox credential, and the other way round', async () => {
    const liveTarget = await createKey(api, liveOp, merchantId, { kind: 'secret', name: 'audited live' });
    await api.patch(`${base}/keys/${liveTarget.id}`, { enabled: false }, { key: liveOp });
    await api.post(`${base}/keys/${liveTarget.id}/roll`, {}, { key: liveOp });
    const sandboxTarget = await createKey(api, sandboxOp, merchantId, { kind: 'secret', name: 'audited sandbox' });

    const liveEvents = await api.get(`${base}/audit-events?limit=200`, { key: liveOp });
    expect(liveEvents.status, liveEvents.text).toBe(200);
    const liveTargets = liveEvents.body.data.map((e: { target: { id: string } }) => e.target.id);
    expect(liveTargets).toContain(liveTarget.id);
    expect(liveTargets).toContain(merchantId); // account.live_opened
    for (const e of liveEvents.body.data) expect(e.environment).toBe('live');
    expect(liveTargets).not.toContain(sandboxTarget.id);

    const sandboxEvents = await api.get(`${base}/audit-events?limit=200`, { key: sandboxOp });
    expect(sandboxEvents.status).toBe(200);
    for (const e of sandboxEvents.body.data) expect(e.environment).toBe('sandbox');
    const sandboxTargets = sandboxEvents.body.data.map((e: { target: { id: string } }) => e.target.id);
    expect(sandboxTargets).toContain(sandboxTarget.id);
    expect(sandboxTargets).not.toContain(liveTarget.id);
    expect(sandboxTargets).not.toContain(liveKey.id);
    expect(sandboxEvents.body.data.map((e: { action: string }) => e.action)).not.toContain('account.live_opened');
    expect(sandboxEvents.text).not.toContain(liveTarget.id);

    // Filters can't reach across either.
    for (const query of [`keyId=${liveTarget.id}`, 'action=key.rolled', 'action=account.live_opened', `actorId=${server.tessera.bootstrap.issued!.live.id}`]) {
      const filtered = await api.get(`${base}/audit-events?${query}`, { key: sandboxOp });
      expect(filtered.status, filtered.text).toBe(200);
      expect(filtered.body.data, query).toEqual([]);
    }
    expect((await api.get(`${base}/audit-events?keyId=${liveTarget.id}`, { key: liveOp })).body.data.length).toBe(3);
  });

  it("a merchant's sandbox key reading its own account audit log sees no live events", async () => {
    const auditor = await createKey(api, sandboxOp, merchantId, { kind: 'restricted', permissions: ['audit_events.read'] });
    const events = await api.get(`${base}/audit-events?limit=200`, { key: auditor.secret });
    expect(events.status, events.text).toBe(200);
    expect(events.body.data.length).toBeGreaterThan(0);
    for (const e of events.body.data) expect(e.environment).toBe('sandbox');
  });

  it('a live key is refused on a route pinned to sandbox, and a sandbox key on one pinned to live', async () => {
    expectError(await api.get(`/sandbox${base}/keys`, { key: liveOp }), 403, 'environment_mismatch');
    expectError(await api.get(`/live${base}/keys/${liveKey.id}`, { key: sandboxOp }), 403, 'environment_mismatch');
    expect((await api.get(`/live${base}/keys/${liveKey.id}`, { key: liveOp })).status).toBe(200);
  });
});
