import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { member, signIn, type DashboardClient } from '../helpers/dashboard.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { expectError, openDirectDatabase } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const HOUR = 3_600_000;

// Per-key usage by outcome: counted in memory by the authenticator, written in batches, read by the dashboard's chart.
describe('per-key usage', () => {
  let server: TestServer;
  let api: Api;
  let merchant: string;
  let viewer: DashboardClient;
  // Mid-hour, so a few requests never straddle an hour.
  let clock = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR + 30 * 60_000;

  beforeAll(async () => {
    // No timed flush during the test: writes happen only when the test flushes.
    server = await startTestServer({ now: () => clock, env: { TESSERA_USAGE_FLUSH_MS: '600000' } });
    api = new Api(server.url);
    merchant = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'Shop' });
    viewer = await member(server, api, merchant, 'viewer@shop.example', 'viewer');
  });
  afterAll(() => server.close());

  async function usageRows(): Promise<{ credential_id: string; environment: string; hour: number; outcome: string; count: number }[]> {
    const db = await openDirectDatabase(server, { readonly: true });
    try {
      return (await db.query<any>('select credential_id, environment, hour, outcome, count from credential_usage order by hour, outcome')).map((r) => ({ ...r, hour: Number(r.hour), count: Number(r.count) }));
    } finally {
      await db.close();
    }
  }

  it('counts ok, 401, 403 and 429 per key and hour, with no database write per request', async () => {
    const key = await createKey(api, server.operatorKeys.sandbox, merchant, { kind: 'restricted', permissions: ['accounts.read'], rateLimit: { requests: 3, windowSeconds: 60 } });
    const other = await createKey(api, server.operatorKeys.sandbox, merchant, { kind: 'secret' });
    await server.tessera.usage.flush();
    const before = (await usageRows()).filter((r) => r.credential_id === key.id);
    expect(before).toEqual([]);

    for (let i = 0; i < 3; i++) expect((await api.get(`/v1/accounts/${merchant}`, { key: key.secret })).status).toBe(200);
    expect((await api.get(`/v1/accounts/${merchant}/keys`, { key: key.secret })).status).toBe(403); // not among its permissions
    expect((await api.get(`/v1/accounts/${merchant}`, { key: key.secret })).status).toBe(429);
    expect((await api.get(`/v1/accounts/${merchant}`, { key: other.secret })).status).toBe(200);
    await api.patch(`/v1/accounts/${merchant}/keys/${key.id}`, { enabled: false }, { key: server.operatorKeys.sandbox });
    for (let i = 0; i < 2; i++) expect((await api.get(`/v1/accounts/${merchant}`, { key: key.secret })).status).toBe(401);

    // Seven requests later, nothing is written yet: the counts are in memory.
    expect((await usageRows()).filter((r) => r.credential_id === key.id)).toEqual([]);
    await server.tessera.usage.flush();
    const hour = clock - (clock % HOUR);
    expect((await usageRows()).filter((r) => r.credential_id === key.id)).toEqual([
      { credential_id: key.id, environment: 'sandbox', hour, outcome: '401', count: 2 },
      { credential_id: key.id, environment: 'sandbox', hour, outcome: '403', count: 1 },
      { credential_id: key.id, environment: 'sandbox', hour, outcome: '429', count: 1 },
      { credential_id: key.id, environment: 'sandbox', hour, outcome: 'ok', count: 3 },
    ]);

    const usage = await viewer.get(`/v1/accounts/${merchant}/keys/${key.id}/usage`);
    expect(usage.status, usage.text).toBe(200);
    expect(usage.body).toMatchObject({ object: 'key_usage', keyId: key.id, environment: 'sandbox', hours: 24, totals: { ok: 3, '401': 2, '403': 1, '429': 1 } });
    expect(usage.body.buckets).toHaveLength(24);
    expect(usage.body.buckets[23]).toEqual({ hour: new Date(hour).toISOString(), ok: 3, '401': 2, '403': 1, '429': 1 });
    expect((await viewer.get(`/v1/accounts/${merchant}/keys/${other.id}/usage`)).body.totals).toEqual({ ok: 1, '401': 0, '403': 0, '429': 0 });
  });

  it('adds to the hour on later flushes, starts a new hour when the clock does, and keeps 24 hours in the chart', async () => {
    const key = await createKey(api, server.operatorKeys.sandbox, merchant, { kind: 'secret' });
    const first = clock - (clock % HOUR);
    await api.get(`/v1/accounts/${merchant}`, { key: key.secret });
    await server.tessera.usage.flush();
    await api.get(`/v1/accounts/${merchant}`, { key: key.secret });
    clock += HOUR; // an hour passes before the next flush: that count stays in its own hour
    await api.get(`/v1/accounts/${merchant}`, { key: key.secret });
    await api.get(`/v1/accounts/${merchant}`, { key: key.secret });
    await server.tessera.usage.flush();
    viewer = (await signIn(api, 'viewer@shop.example')).as(merchant); // the session went idle meanwhile
    const rows = (await usageRows()).filter((r) => r.credential_id === key.id);
    expect(rows.map((r) => [r.hour, r.outcome, r.count])).toEqual([
      [first, 'ok', 2],
      [first + HOUR, 'ok', 2],
    ]);
    const usage = (await viewer.get(`/v1/accounts/${merchant}/keys/${key.id}/usage?hours=2`)).body;
    expect(usage.buckets.map((b: any) => [b.hour, b.ok])).toEqual([
      [new Date(first).toISOString(), 2],
      [new Date(first + HOUR).toISOString(), 2],
    ]);
    clock += 24 * HOUR;
    viewer = (await signIn(api, 'viewer@shop.example')).as(merchant);
    expect((await viewer.get(`/v1/accounts/${merchant}/keys/${key.id}/usage`)).body.totals.ok).toBe(0);
    expect((await viewer.get(`/v1/accounts/${merchant}/keys/${key.id}/usage?hours=168`)).body.totals.ok).toBe(4);
    expectError(await viewer.get(`/v1/accounts/${merchant}/keys/${key.id}/usage?hours=0`), 400, 'invalid_field', 'hours');
    expectError(await viewer.get(`/v1/accounts/${merchant}/keys/key_doesNotExist12345/usage`), 404, 'resource_not_found');
  });
});
