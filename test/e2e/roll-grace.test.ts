import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { expectError, SECRET_FORMAT } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// SPEC: "roll: a new secret; the old one keeps working for a chosen grace period (none up to 7 days), then dies."
describe('roll and grace period', () => {
  let server: TestServer;
  let api: Api;
  let clock = Date.parse('2030-06-01T12:00:00Z');
  let op: string;
  let merchantId: string;

  beforeAll(async () => {
    server = await startTestServer({ now: () => clock });
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
  });
  afterAll(() => server.close());

  const works = async (secret: string) => {
    const response = await api.get(`/v1/accounts/${merchantId}`, { key: secret });
    expect(response.status, response.text).toBe(200);
  };
  const rolledOut = async (secret: string) => expectError(await api.get(`/v1/accounts/${merchantId}`, { key: secret }), 401, 'credential_rolled');
  const roll = async (keyId: string, body?: unknown) => {
    const response = await api.post(`/v1/accounts/${merchantId}/keys/${keyId}/roll`, body, { key: op });
    expect(response.status, response.text).toBe(200);
    return response.body as { id: string; secret: string; previousSecretExpiresAt: string; last4: string; redactedSecret: string; kind: string };
  };

  it('grace 3600: the new secret works at once, the old one until the grace ends, then 401 credential_rolled', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'secret' });
    await works(key.secret); // cached before the roll: the roll must drop it
    const rolledAt = clock;
    const rolled = await roll(key.id, { gracePeriodSeconds: 3600 });

    expect(rolled.id).toBe(key.id);
    expect(rolled.kind).toBe('secret');
    expect(rolled.secret).toMatch(SECRET_FORMAT);
    expect(rolled.secret.startsWith('tsr_sk_sandbox_')).toBe(true);
    expect(rolled.secret).not.toBe(key.secret);
    expect(rolled.previousSecretExpiresAt).toBe(new Date(rolledAt + 3600_000).toISOString());
    expect(rolled.last4).toBe(rolled.secret.slice(-4));
    expect(rolled.redactedSecret).toBe(`tsr_sk_sandbox_…${rolled.secret.slice(-4)}`);

    await works(rolled.secret);
    await works(key.secret);
    clock += 3599_000;
    await works(key.secret);
    await works(rolled.secret);
    clock += 1000; // exactly at the end of the grace period
    await rolledOut(key.secret);
    await works(rolled.secret);
    clock += 7 * 24 * 3600_000;
    await rolledOut(key.secret);
    await works(rolled.secret);

    // The key itself shows the new secret's hint, never a secret.
    const got = await api.get(`/v1/accounts/${merchantId}/keys/${key.id}`, { key: op });
    expect(got.body).toMatchObject({ last4: rolled.secret.slice(-4), status: 'active' });
    expect(got.text).not.toContain(rolled.secret.slice(15, -4));
  });

  it('grace 0: the old secret dies immediately', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read'] });
    await works(key.secret);
    const rolled = await roll(key.id, { gracePeriodSeconds: 0 });
    expect(rolled.previousSecretExpiresAt).toBe(new Date(clock).toISOString());
    expect(rolled.secret.startsWith('tsr_rk_sandbox_')).toBe(true);
    await rolledOut(key.secret);
    await works(rolled.secret);
  });

  it('no grace period given means 0', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'secret' });
    const rolled = await roll(key.id, {});
    expect(rolled.previousSecretExpiresAt).toBe(new Date(clock).toISOString());
    await rolledOut(key.secret);
    await works(rolled.secret);
  });

  it('rolling twice: the secret the second roll replaces gets its grace; an older one never outlives it', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'secret' });
    const first = await roll(key.id, { gracePeriodSeconds: 3600 });
    clock += 10_000;
    const secondAt = clock;
    const second = await roll(key.id, { gracePeriodSeconds: 600 });
    expect(second.secret).not.toBe(first.secret);
    expect(second.previousSecretExpiresAt).toBe(new Date(secondAt + 600_000).toISOString());
    await works(key.secret);
    await works(first.secret);
    await works(second.secret);

    clock = secondAt + 599_000;
    await works(key.secret);
    await works(first.secret);
    clock = secondAt + 600_000; // the later roll's shorter grace ends both older secrets
    await rolledOut(first.secret);
    await rolledOut(key.secret);
    await works(second.secret);

    // A later roll with a longer grace never lengthens an older secret's life.
    const third = await roll(key.id, { gracePeriodSeconds: 3600 });
    const thirdAt = clock;
    clock += 10_000;
    const fourth = await roll(key.id, { gracePeriodSeconds: 7200 });
    expect(fourth.previousSecretExpiresAt).toBe(new Date(thirdAt + 10_000 + 7200_000).toISOString());
    clock = thirdAt + 3599_000;
    await works(second.secret);
    await works(third.secret);
    clock = thirdAt + 3600_000;
    await rolledOut(second.secret);
    await works(third.secret);
    await works(fourth.secret);
    clock = thirdAt + 10_000 + 7200_000;
    await rolledOut(third.secret);
    await works(fourth.secret);
    await rolledOut(key.secret);
  });

  it('a roll with grace 0 ends every older grace period too (an emergency roll after a leak)', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'secret' });
    const first = await roll(key.id, { gracePeriodSeconds: 3600 });
    await works(key.secret);
    const second = await roll(key.id, { gracePeriodSeconds: 0 });
    await rolledOut(key.secret);
    await rolledOut(first.secret);
    await works(second.secret);
  });

  it('a rolled key, disabled, stops all its secrets; deleting it kills the grace-period one too', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'secret' });
    const rolled = await roll(key.id, { gracePeriodSeconds: 3600 });
    await works(key.secret);
    await api.patch(`/v1/accounts/${merchantId}/keys/${key.id}`, { enabled: false }, { key: op });
    expectError(await api.get(`/v1/accounts/${merchantId}`, { key: key.secret }), 401, 'credential_disabled');
    expectError(await api.get(`/v1/accounts/${merchantId}`, { key: rolled.secret }), 401, 'credential_disabled');
    await api.patch(`/v1/accounts/${merchantId}/keys/${key.id}`, { enabled: true }, { key: op });
    await works(key.secret);
    await api.delete(`/v1/accounts/${merchantId}/keys/${key.id}`, { key: op });
    expectError(await api.get(`/v1/accounts/${merchantId}`, { key: key.secret }), 401, 'credential_deleted');
    expectError(await api.get(`/v1/accounts/${merchantId}`, { key: rolled.secret }), 401, 'credential_deleted');
  });

  it('the roll is in the audit log with its grace period', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'secret' });
    const rolled = await roll(key.id, { gracePeriodSeconds: 120 });
    const events = await api.get(`/v1/accounts/${merchantId}/audit-events?keyId=${key.id}&action=key.rolled`, { key: op });
    expect(events.body.data).toHaveLength(1);
    expect(events.body.data[0].details).toEqual({ gracePeriodSeconds: 120, previousSecretExpiresAt: rolled.previousSecretExpiresAt });
    expect(events.text).not.toContain(rolled.secret.slice(15, -4));
  });
});
