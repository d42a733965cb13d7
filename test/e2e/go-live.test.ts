import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { expectError, SECRET_FORMAT } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Go-live (Aurora): an account's live environment stays closed until the operator opens it.
describe('go-live', () => {
  let server: TestServer;
  let api: Api;
  let sandboxOp: string;
  let liveOp: string;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    sandboxOp = server.operatorKeys.sandbox;
    liveOp = server.operatorKeys.live;
  });
  afterAll(() => server.close());

  it('a new account starts with its live environment closed', async () => {
    const id = await createAccount(api, sandboxOp, { type: 'merchant', name: 'New shop' });
    expect((await api.get(`/v1/accounts/${id}`, { key: sandboxOp })).body.liveEnabled).toBe(false);
    expect((await api.get(`/v1/accounts/${server.operatorId}`, { key: sandboxOp })).body.liveEnabled).toBe(true);
  });

  it('a live key for a closed account: 403 live_environment_closed saying so; after open-live it works', async () => {
    const merchantId = await createAccount(api, sandboxOp, { type: 'merchant', name: 'Shop' });
    for (const body of [{ kind: 'secret' }, { kind: 'secret', environment: 'live' }, { kind: 'publishable' }, { kind: 'restricted', permissions: ['accounts.read'] }]) {
      const refused = await api.post(`/v1/accounts/${merchantId}/keys`, body, { key: liveOp });
      expectError(refused, 403, 'live_environment_closed', 'environment');
      expect(refused.body.error.message).toMatch(/live environment/i);
      expect(refused.body.error.message).toMatch(/not open/i);
      expect(refused.body.error.message).toContain(merchantId);
    }
    expect((await api.get(`/v1/accounts/${merchantId}/keys`, { key: liveOp })).body.data).toEqual([]);
    // Sandbox keys are fine meanwhile.
    expect((await api.post(`/v1/accounts/${merchantId}/keys`, { kind: 'secret' }, { key: sandboxOp })).status).toBe(201);

    const opened = await api.post(`/v1/accounts/${merchantId}/open-live`, undefined, { key: liveOp });
    expect(opened.status, opened.text).toBe(200);
    expect(opened.body).toMatchObject({ id: merchantId, liveEnabled: true });
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: sandboxOp })).body.liveEnabled).toBe(true);

    const created = await api.post(`/v1/accounts/${merchantId}/keys`, { kind: 'secret' }, { key: liveOp });
    expect(created.status, created.text).toBe(201);
    expect(created.body.environment).toBe('live');
    expect(created.body.secret).toMatch(SECRET_FORMAT);
    expect(created.body.secret.startsWith('tsr_sk_live_')).toBe(true);
    const account = await api.get(`/v1/accounts/${merchantId}`, { key: created.body.secret });
    expect(account.status, account.text).toBe(200);

    // Opening twice is harmless.
    const again = await api.post(`/v1/accounts/${merchantId}/open-live`, undefined, { key: liveOp });
    expect(again.status).toBe(200);
    expect(again.body.liveEnabled).toBe(true);
  });

  it('the operator may open live with its sandbox key too; open-live of an unknown account is 404', async () => {
    const merchantId = await createAccount(api, sandboxOp, { type: 'merchant', name: 'Shop 2' });
    const opened = await api.post(`/v1/accounts/${merchantId}/open-live`, undefined, { key: sandboxOp });
    expect(opened.status, opened.text).toBe(200);
    expect((await api.post(`/v1/accounts/${merchantId}/keys`, { kind: 'secret' }, { key: liveOp })).status).toBe(201);
    expectError(await api.post('/v1/accounts/acct_nothere/open-live', undefined, { key: liveOp }), 404, 'resource_not_found', 'accountId');
  });

  it("a partner's live key can't create live keys for its sub-merchant until the operator opens the sub-merchant", async () => {
    const partnerId = await createAccount(api, sandboxOp, { type: 'partner', name: 'Platform' });
    await api.post(`/v1/accounts/${partnerId}/open-live`, undefined, { key: liveOp });
    const partnerLive = await createKey(api, liveOp, partnerId, { kind: 'secret' });
    const subId = await createAccount(api, partnerLive.secret, { type: 'merchant', name: 'Sub' });
    expectError(await api.post(`/v1/accounts/${subId}/keys`, { kind: 'secret' }, { key: partnerLive.secret }), 403, 'live_environment_closed');
    // The partner can't open it itself.
    expectError(await api.post(`/v1/accounts/${subId}/open-live`, undefined, { key: partnerLive.secret }), 403, 'permission_denied');
    expect((await api.get(`/v1/accounts/${subId}`, { key: partnerLive.secret })).body.liveEnabled).toBe(false);
    await api.post(`/v1/accounts/${subId}/open-live`, undefined, { key: liveOp });
    expect((await api.post(`/v1/accounts/${subId}/keys`, { kind: 'secret' }, { key: partnerLive.secret })).status).toBe(201);
  });

  it('open-live by anyone but the operator: 403, and the account stays closed', async () => {
    const partnerId = await createAccount(api, sandboxOp, { type: 'partner', name: 'Platform 2' });
    const partnerKey = await createKey(api, sandboxOp, partnerId, { kind: 'secret' });
    const merchantId = await createAccount(api, partnerKey.secret, { type: 'merchant', name: 'Sub 2' });
    const merchantKey = await createKey(api, sandboxOp, merchantId, { kind: 'secret' });
    const restricted = await createKey(api, sandboxOp, merchantId, { kind: 'restricted', permissions: ['accounts.read', 'keys.create'] });
    const attempts = [
      [partnerKey.secret, merchantId],
      [partnerKey.secret, partnerId],
      [merchantKey.secret, merchantId],
      [restricted.secret, merchantId],
    ] as const;
    for (const [key, target] of attempts) {
      const response = await api.post(`/v1/accounts/${target}/open-live`, undefined, { key });
      expectError(response, 403, 'permission_denied');
      expect(response.body.error.message).toMatch(/operator/);
    }
    // A restricted key can't even be granted the operator-only operation.
    expectError(await api.post(`/v1/accounts/${merchantId}/keys`, { kind: 'restricted', permissions: ['accounts.open_live'] }, { key: sandboxOp }), 400, 'invalid_field', 'permissions');
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: sandboxOp })).body.liveEnabled).toBe(false);
    expect((await api.get(`/v1/accounts/${partnerId}`, { key: sandboxOp })).body.liveEnabled).toBe(false);
    expectError(await api.post(`/v1/accounts/${merchantId}/keys`, { kind: 'secret' }, { key: liveOp }), 403, 'live_environment_closed');
  });

  it('a sandbox operator key creating a key with environment "live": 403 environment_mismatch, even once live is open', async () => {
    const merchantId = await createAccount(api, sandboxOp, { type: 'merchant', name: 'Shop 3' });
    expectError(await api.post(`/v1/accounts/${merchantId}/keys`, { kind: 'secret', environment: 'live' }, { key: sandboxOp }), 403, 'environment_mismatch', 'environment');
    await api.post(`/v1/accounts/${merchantId}/open-live`, undefined, { key: liveOp });
    const mismatch = await api.post(`/v1/accounts/${merchantId}/keys`, { kind: 'secret', environment: 'live' }, { key: sandboxOp });
    expectError(mismatch, 403, 'environment_mismatch', 'environment');
    expect(mismatch.body.error.message).toMatch(/live credential/);
    // And the other way round.
    expectError(await api.post(`/v1/accounts/${merchantId}/keys`, { kind: 'secret', environment: 'sandbox' }, { key: liveOp }), 403, 'environment_mismatch', 'environment');
    expect((await api.get(`/v1/accounts/${merchantId}/keys`, { key: liveOp })).body.data).toEqual([]);
    expect((await api.get(`/v1/accounts/${merchantId}/keys`, { key: sandboxOp })).body.data).toEqual([]);
  });
});
