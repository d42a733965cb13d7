import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCore } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { KeyExpiryNotifier } from '../../src/services/key-expiry-notifier.js';
import { Api } from '../helpers/api.js';
import { testDatabaseKind } from '../helpers/database.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Standard Webhooks' schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
const SCHEDULE = [5_000, 300_000, 1_800_000, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

// Retries, disabling and expiry notices on a frozen clock: the worker runs one
// pass at a time (tessera.webhooks.runOnce) and nothing sleeps.
describe('webhook schedule (frozen clock)', () => {
  let server: TestServer;
  let api: Api;
  let op: string;
  let clock = Date.now();
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      now: () => clock,
      env: { TESSERA_WEBHOOK_WORKER: 'false', TESSERA_WEBHOOK_DISABLE_AFTER_HOURS: '48', TESSERA_KEY_EXPIRY_NOTICE_HOURS: '72' },
    });
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
  });
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.close();
  });
  afterAll(() => server.close());

  async function receiver(answer: number): Promise<WebhookReceiver> {
    const r = await WebhookReceiver.start();
    r.answer = () => answer;
    receivers.push(r);
    return r;
  }

  async function endpoint(accountId: string, url: string, eventTypes: string[]): Promise<{ id: string; secret: string }> {
    const created = await api.post(`/v1/accounts/${accountId}/webhook-endpoints`, { url, eventTypes }, { key: op });
    expect(created.status, created.text).toBe(201);
    return created.body;
  }

  async function delivery(accountId: string, endpointId: string): Promise<any> {
    const listed = await api.get(`/v1/accounts/${accountId}/webhook-endpoints/${endpointId}/deliveries`, { key: op });
    expect(listed.status, listed.text).toBe(200);
    return listed.body.data[0];
  }

  const runOnce = () => server.tessera.webhooks.runOnce();

  it("retries on Standard Webhooks' schedule with ±10% jitter, 8 attempts over about a day, then gives up", async () => {
    const failing = await receiver(503);
    const accountId = await createAccount(api, op, { type: 'merchant', name: 'Retry shop' });
    const { id: endpointId, secret } = await endpoint(accountId, failing.url(), ['key.created']);
    await createKey(api, op, accountId, { kind: 'secret' });
    const firstAt = clock;
    expect(await runOnce()).toMatchObject({ attempted: 1, failed: 1 });

    for (const [i, delay] of SCHEDULE.entries()) {
      const current = await delivery(accountId, endpointId);
      expect(current).toMatchObject({ status: 'pending', attemptCount: i + 1, lastResponseStatus: 503 });
      const due = Date.parse(current.nextAttemptAt);
      expect(due - clock, `delay before attempt ${i + 2}`).toBeGreaterThanOrEqual(Math.floor(delay * 0.9));
      expect(due - clock, `delay before attempt ${i + 2}`).toBeLessThanOrEqual(Math.ceil(delay * 1.1));
      clock = due - 1;
      expect(await runOnce(), 'not due a millisecond early').toMatchObject({ attempted: 0 });
      clock = due;
      expect(await runOnce()).toMatchObject({ attempted: 1, failed: 1 });
    }
    const last = await delivery(accountId, endpointId);
    expect(last).toMatchObject({ status: 'failed', attemptCount: 8, nextAttemptAt: null });
    expect(last.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const total = clock - firstAt;
    expect(total).toBeGreaterThan(24 * HOUR);
    expect(total).toBeLessThan(31 * HOUR);
    clock += 100 * HOUR;
    expect(await runOnce()).toMatchObject({ attempted: 0 });

    // Eight sends of one message: one webhook-id, one body, each signed at its own time.
    expect(failing.received).toHaveLength(8);
    const webhook = new Webhook(secret);
    for (const [i, entry] of failing.received.entries()) {
      expect(entry.headers['webhook-id']).toBe(failing.received[0]!.headers['webhook-id']);
      expect(entry.body).toBe(failing.received[0]!.body);
      const timestamp = Number(entry.headers['webhook-timestamp']);
      expect(timestamp).toBe(Math.floor(Date.parse(last.attempts[i].startedAt) / 1000));
      expect(entry.headers['webhook-signature']).toBe(webhook.sign(entry.headers['webhook-id'] as string, new Date(timestamp * 1000), entry.body));
    }
  });

  it('an endpoint that fails for longer than TESSERA_WEBHOOK_DISABLE_AFTER_HOURS is disabled, and the account told; a success in between resets the count', async () => {
    const flaky = await receiver(500);
    const watcher = await receiver(200);
    const accountId = await createAccount(api, op, { type: 'merchant', name: 'Flaky shop' });
    const { id: endpointId } = await endpoint(accountId, flaky.url(), ['key.*']);
    await endpoint(accountId, watcher.url(), ['webhook_endpoint.disabled']);
    const start = clock;
    await createKey(api, op, accountId, { kind: 'secret' });
    await runOnce();
    let got = (await api.get(`/v1/accounts/${accountId}/webhook-endpoints/${endpointId}`, { key: op })).body;
    expect(got).toMatchObject({ enabled: true, failingSince: new Date(start).toISOString() });

    // A success heals it.
    flaky.answer = () => 200;
    clock += 40 * HOUR;
    await createKey(api, op, accountId, { kind: 'secret' });
    await runOnce();
    got = (await api.get(`/v1/accounts/${accountId}/webhook-endpoints/${endpointId}`, { key: op })).body;
    expect(got).toMatchObject({ enabled: true, failingSince: null });

    // Then failing again: still enabled at 47 h, disabled once 48 h are over.
    flaky.answer = () => 500;
    const since = clock;
    await createKey(api, op, accountId, { kind: 'secret' });
    await runOnce();
    clock = since + 47 * HOUR;
    await createKey(api, op, accountId, { kind: 'secret' });
    await runOnce();
    expect((await api.get(`/v1/accounts/${accountId}/webhook-endpoints/${endpointId}`, { key: op })).body.enabled).toBe(true);
    expect(watcher.received).toHaveLength(0);
    clock = since + 48 * HOUR;
    await createKey(api, op, accountId, { kind: 'secret' });
    await runOnce();
    got = (await api.get(`/v1/accounts/${accountId}/webhook-endpoints/${endpointId}`, { key: op })).body;
    expect(got).toMatchObject({ enabled: false, disabledReason: 'failing', failingSince: new Date(since).toISOString() });
    expect(watcher.received).toHaveLength(1);
    expect(JSON.parse(watcher.received[0]!.body)).toMatchObject({ type: 'webhook_endpoint.disabled', data: { reason: 'failing', object: { id: endpointId } } });
    const audit = await api.get(`/v1/accounts/${accountId}/audit-events?action=webhook_endpoint.disabled`, { key: op });
    expect(audit.body.data[0]).toMatchObject({ actor: { type: 'system' }, details: { reason: 'failing' } });

    // Disabled endpoints receive nothing; their pending deliveries wait for them.
    const before = flaky.received.length;
    clock += 100 * HOUR;
    await createKey(api, op, accountId, { kind: 'secret' });
    expect(await runOnce()).toMatchObject({ attempted: 0 });
    expect(flaky.received).toHaveLength(before);
    flaky.answer = () => 200;
    expect((await api.patch(`/v1/accounts/${accountId}/webhook-endpoints/${endpointId}`, { enabled: true }, { key: op })).status).toBe(200);
    const resumed = await runOnce();
    expect(resumed.attempted).toBeGreaterThanOrEqual(1);
    expect(resumed.failed).toBe(0);
  });

  it('expiring soon (lead time TESSERA_KEY_EXPIRY_NOTICE_HOURS) and expired: each sent once, however many processes sweep', async () => {
    const hooks = await receiver(200);
    const accountId = await createAccount(api, op, { type: 'merchant', name: 'Expiring shop' });
    await endpoint(accountId, hooks.url(), ['key.expiring_soon', 'key.expired']);
    const expiresAt = clock + 5 * DAY;
    const key = await createKey(api, op, accountId, { kind: 'secret', expiresAt: new Date(expiresAt).toISOString() });
    const soonAfterDeletion = await createKey(api, op, accountId, { kind: 'secret', expiresAt: new Date(expiresAt).toISOString() });
    expect((await api.delete(`/v1/accounts/${accountId}/keys/${soonAfterDeletion.id}`, { key: op })).status).toBe(200);

    // A second process on the same database sweeps at the same time as the server.
    const other = await openCore({ config: loadConfig(server.env), createMasterKey: false, onCredentialChanged: () => {}, now: () => clock });
    const otherSweep = new KeyExpiryNotifier(other.store, 72 * HOUR, () => clock);
    try {
      // better-sqlite3 is synchronous: two connections of one process would wait on each other's write lock, so
      // on SQLite the two sweep one after the other (separate processes would overlap); on PostgreSQL at once.
      const sweepBoth = async () => {
        if (testDatabaseKind() === 'sqlite') return (await server.tessera.webhooks.expiry.sweep()) + (await otherSweep.sweep());
        const [a, b] = await Promise.all([server.tessera.webhooks.expiry.sweep(), otherSweep.sweep()]);
        return a + b;
      };
      expect(await sweepBoth()).toBe(0);
      clock = expiresAt - 72 * HOUR - 1000;
      expect(await sweepBoth()).toBe(0);
      clock = expiresAt - 72 * HOUR + 1000;
      expect(await sweepBoth()).toBe(1);
      expect(await sweepBoth()).toBe(0);
      await runOnce();
      clock = expiresAt + 1000;
      expect(await sweepBoth()).toBe(1);
      expect(await sweepBoth()).toBe(0);
      await runOnce();
      clock += DAY;
      expect((await runOnce()).expiryEvents).toBe(0);
    } finally {
      await other.close();
    }
    const types = hooks.received.map((r) => JSON.parse(r.body));
    expect(types.map((e) => e.type)).toEqual(['key.expiring_soon', 'key.expired']);
    expect(types.every((e) => e.data.object.id === key.id)).toBe(true);
    expect(types[0].data.object).toMatchObject({ status: 'active', expiresAt: new Date(expiresAt).toISOString() });
    expect(types[1].data.object.status).toBe('expired');
    const listed = await api.get(`/v1/accounts/${accountId}/events?type=key.expired`, { key: op });
    expect(listed.body.data).toHaveLength(1);
  });
});
