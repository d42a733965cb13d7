import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { eventually, expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { verifyDelivery, WebhookReceiver } from '../helpers/webhook-receiver.js';

// SPEC "Notifications": events go to merchant endpoints from a durable outbox,
// signed per Standard Webhooks, retried; issue 7's delivery rules.
describe('webhook delivery', () => {
  let server: TestServer;
  let api: Api;
  let op: string;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { TESSERA_WEBHOOK_POLL_MS: '50', TESSERA_WEBHOOK_TIMEOUT_MS: '1000', TESSERA_WEBHOOK_ENDPOINT_CONCURRENCY: '3' } });
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
  });
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.close();
  });
  afterAll(() => server.close());

  async function receiver(): Promise<WebhookReceiver> {
    const r = await WebhookReceiver.start();
    receivers.push(r);
    return r;
  }

  async function merchant(): Promise<string> {
    return createAccount(api, op, { type: 'merchant', name: 'Shop' });
  }

  async function endpoint(accountId: string, url: string, eventTypes: string[] = ['*']): Promise<{ id: string; secret: string }> {
    const created = await api.post(`/v1/accounts/${accountId}/webhook-endpoints`, { url, eventTypes }, { key: op });
    expect(created.status, created.text).toBe(201);
    return created.body;
  }

  async function deliveries(accountId: string, endpointId: string, query = ''): Promise<any[]> {
    const listed = await api.get(`/v1/accounts/${accountId}/webhook-endpoints/${endpointId}/deliveries${query}`, { key: op });
    expect(listed.status, listed.text).toBe(200);
    return listed.body.data;
  }

  it('every key change reaches a local receiver, signed so that the standardwebhooks library verifies it', async () => {
    const hooks = await receiver();
    const accountId = await merchant();
    const { secret } = await endpoint(accountId, hooks.url(), ['key.*']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const key = await createKey(api, op, accountId, { kind: 'secret', name: 'Server' });
    const base = `/v1/accounts/${accountId}/keys/${key.id}`;
    expect((await api.patch(base, { enabled: false }, { key: op })).status).toBe(200);
    expect((await api.patch(base, { enabled: true }, { key: op })).status).toBe(200);
    expect((await api.patch(base, { name: 'renamed' }, { key: op })).status).toBe(200);
    const rolled = await api.post(`${base}/roll`, { gracePeriodSeconds: 60 }, { key: op });
    expect(rolled.status).toBe(200);
    expect((await api.delete(base, { key: op })).status).toBe(200);

    const expected = ['key.created', 'key.disabled', 'key.enabled', 'key.rolled', 'key.deleted'];
    await hooks.waitFor(() => hooks.received.length >= expected.length);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // A rename is not an event; ordering is not promised.
    expect(hooks.received.map((r) => JSON.parse(r.body).type).sort()).toEqual([...expected].sort());
    for (const entry of hooks.received) {
      const event = verifyDelivery(secret, entry);
      expect(entry.headers['webhook-id']).toBe(event.id);
      expect(event.id).toMatch(/^evt_[0-9A-Za-z]+$/);
      expect(event).toMatchObject({ object: 'event', accountId, environment: 'sandbox', data: { object: { id: key.id, object: 'key' } } });
      expect(Math.abs(Number(entry.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
      expect(entry.headers['content-type']).toBe('application/json');
      // Never a secret: not the key's, not the webhook secret.
      expect(entry.body).not.toContain(key.secret.slice(-30));
      expect(entry.body).not.toContain(rolled.body.secret.slice(-30));
      expect(entry.body).not.toContain(secret.slice(6));
      // A body tampered with, or signed with another secret, does not verify.
      expect(() => verifyDelivery(secret, { ...entry, body: entry.body.replace('"sandbox"', '"live"') })).toThrow();
      expect(() => verifyDelivery('whsec_' + Buffer.alloc(32, 7).toString('base64'), entry)).toThrow();
    }
    const byType = Object.fromEntries(hooks.received.map((r) => [JSON.parse(r.body).type, JSON.parse(r.body)]));
    expect(byType['key.disabled'].data.object).toMatchObject({ enabled: false, status: 'disabled' });
    expect(byType['key.enabled'].data.object).toMatchObject({ enabled: true, status: 'active' });
    expect(byType['key.rolled'].data.previousSecretExpiresAt).toBe(rolled.body.previousSecretExpiresAt);
    expect(byType['key.rolled'].data.object.last4).toBe(rolled.body.secret.slice(-4));
    expect(byType['key.deleted'].data.object.status).toBe('deleted');

    // Each event is a stored object: the events API answers exactly the body delivered.
    const listed = await api.get(`/v1/accounts/${accountId}/events`, { key: op });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.data.map((e: { type: string }) => e.type).sort()).toEqual([...expected].sort());
    for (const entry of hooks.received) {
      const id = entry.headers['webhook-id'] as string;
      const one = await api.get(`/v1/accounts/${accountId}/events/${id}`, { key: op });
      expect(one.status, one.text).toBe(200);
      expect(JSON.stringify(one.body)).toBe(entry.body);
    }
    const onlyDeleted = await api.get(`/v1/accounts/${accountId}/events?type=key.deleted`, { key: op });
    expect(onlyDeleted.body.data).toHaveLength(1);
    expectError(await api.get(`/v1/accounts/${accountId}/events?type=key.teleported`, { key: op }), 400, 'unknown_event_type', 'type');
    const paged = await api.get(`/v1/accounts/${accountId}/events?limit=2`, { key: op });
    expect(paged.body.data).toHaveLength(2);
    const next = await api.get(`/v1/accounts/${accountId}/events?limit=10&before=${paged.body.nextCursor}`, { key: op });
    expect(next.body.data).toHaveLength(3);
    expect(new Set([...paged.body.data, ...next.body.data].map((e: { id: string }) => e.id)).size).toBe(5);
  });

  it('an endpoint gets only the event types it subscribes to; every attempt is recorded and visible', async () => {
    const all = await receiver();
    const some = await receiver();
    const accountId = await merchant();
    const everything = await endpoint(accountId, all.url(), ['*']);
    const deletions = await endpoint(accountId, some.url(), ['key.deleted']);
    const key = await createKey(api, op, accountId, { kind: 'secret' });
    expect((await api.delete(`/v1/accounts/${accountId}/keys/${key.id}`, { key: op })).status).toBe(200);
    await all.waitFor(() => all.received.length >= 2);
    await some.waitFor(() => some.received.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(some.received.map((r) => JSON.parse(r.body).type)).toEqual(['key.deleted']);
    expect(all.received).toHaveLength(2);

    const recorded = await eventually(async () => {
      const list = await deliveries(accountId, everything.id);
      expect(list.every((d) => d.status === 'succeeded')).toBe(true);
      return list;
    });
    expect(recorded).toHaveLength(2);
    for (const delivery of recorded) {
      expect(delivery.id).toMatch(/^whd_[0-9A-Za-z]+$/);
      expect(delivery).toMatchObject({ object: 'webhook_delivery', endpointId: everything.id, attemptCount: 1, lastResponseStatus: 204, nextAttemptAt: null });
      expect(delivery.attempts).toHaveLength(1);
      const [attempt] = delivery.attempts;
      expect(attempt).toMatchObject({ attempt: 1, url: all.url(), responseStatus: 204, succeeded: true, error: null });
      expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(attempt.startedAt)).toBeGreaterThan(Date.now() - 60_000);
      const one = await api.get(`/v1/accounts/${accountId}/webhook-endpoints/${everything.id}/deliveries/${delivery.id}`, { key: op });
      expect(one.body).toEqual(delivery);
    }
    expect(await deliveries(accountId, deletions.id)).toHaveLength(1);
    expect(await deliveries(accountId, everything.id, '?status=failed')).toHaveLength(0);
    const metrics = await api.get('/metrics');
    expect(Number(/^tessera_webhook_attempts_total\{outcome="succeeded"\} (\d+)$/m.exec(metrics.text)?.[1])).toBeGreaterThanOrEqual(3);
    expect(metrics.text).toMatch(/^tessera_webhook_deliveries_in_flight \d+$/m);
  });

  it('only 2xx counts: a 500 or a redirect is a failed attempt, retried about 5 s later with the same webhook-id', async () => {
    const hooks = await receiver();
    let answer = 500;
    hooks.answer = () => answer;
    const accountId = await merchant();
    const { id: endpointId, secret } = await endpoint(accountId, hooks.url(), ['key.created']);
    await createKey(api, op, accountId, { kind: 'secret' });
    await hooks.waitFor(() => hooks.received.length >= 1);
    const [failed] = await eventually(async () => {
      const list = await deliveries(accountId, endpointId);
      expect(list[0]?.attemptCount).toBe(1);
      return list;
    });
    expect(failed).toMatchObject({ status: 'pending', lastResponseStatus: 500 });
    expect(failed.attempts[0]).toMatchObject({ responseStatus: 500, succeeded: false, error: 'HTTP 500' });
    const wait = Date.parse(failed.nextAttemptAt) - Date.parse(failed.attempts[0].startedAt);
    expect(wait).toBeGreaterThanOrEqual(4000);
    expect(wait).toBeLessThanOrEqual(6000);

    answer = 302;
    const redirectUntil = Date.parse(failed.nextAttemptAt);
    await hooks.waitFor(() => hooks.received.length >= 2, 10_000);
    await eventually(async () => expect((await deliveries(accountId, endpointId))[0].attemptCount).toBe(2));
    expect(hooks.received[1]!.at).toBeGreaterThanOrEqual(redirectUntil - 1000);
    const afterRedirect = (await deliveries(accountId, endpointId))[0];
    expect(afterRedirect.attempts[1]).toMatchObject({ responseStatus: 302, succeeded: false });
    expect(afterRedirect.status).toBe('pending');
    // The next retry is 5 minutes out; ask for it now instead.
    answer = 200;
    const redelivered = await api.post(`/v1/accounts/${accountId}/webhook-endpoints/${endpointId}/deliveries/${failed.id}/redeliver`, undefined, { key: op });
    expect(redelivered.status, redelivered.text).toBe(202);
    await hooks.waitFor(() => hooks.received.length >= 3);
    await eventually(async () => expect((await deliveries(accountId, endpointId))[0].status).toBe('succeeded'));
    const ids = hooks.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
    for (const entry of hooks.received) verifyDelivery(secret, entry);
    expect(hooks.received.map((r) => r.body)).toEqual([hooks.received[0]!.body, hooks.received[0]!.body, hooks.received[0]!.body]);
  });

  it('a receiver that does not answer within the timeout is a failed attempt', async () => {
    const hooks = await receiver();
    hooks.answer = () => 'hang';
    const accountId = await merchant();
    const { id: endpointId } = await endpoint(accountId, hooks.url(), ['key.created']);
    await createKey(api, op, accountId, { kind: 'secret' });
    const [delivery] = await eventually(async () => {
      const list = await deliveries(accountId, endpointId);
      expect(list[0]?.attemptCount).toBe(1);
      return list;
    }, 5000);
    expect(delivery.attempts[0].responseStatus).toBeNull();
    expect(delivery.attempts[0].error).toMatch(/^timeout/);
    expect(delivery.attempts[0].durationMs).toBeGreaterThanOrEqual(900);
    expect(delivery.attempts[0].durationMs).toBeLessThan(3000);
    expect(delivery.status).toBe('pending');
  });

  it('410 Gone disables the endpoint at once; the account is told (event to its other endpoints, audit log)', async () => {
    const gone = await receiver();
    gone.answer = () => 410;
    const watcher = await receiver();
    const accountId = await merchant();
    const goneEndpoint = await endpoint(accountId, gone.url(), ['key.*']);
    const watchEndpoint = await endpoint(accountId, watcher.url(), ['webhook_endpoint.disabled']);
    await createKey(api, op, accountId, { kind: 'secret' });
    await watcher.waitFor(() => watcher.received.length >= 1);
    const told = verifyDelivery(watchEndpoint.secret, watcher.received[0]!);
    expect(told).toMatchObject({ type: 'webhook_endpoint.disabled', data: { reason: 'gone', object: { id: goneEndpoint.id, enabled: false, disabledReason: 'gone' } } });
    expect(told.data.object.secret).toBeUndefined();

    const got = await api.get(`/v1/accounts/${accountId}/webhook-endpoints/${goneEndpoint.id}`, { key: op });
    expect(got.body).toMatchObject({ enabled: false, status: 'disabled', disabledReason: 'gone' });
    const [delivery] = await deliveries(accountId, goneEndpoint.id);
    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 1, lastResponseStatus: 410, nextAttemptAt: null });
    const audit = await api.get(`/v1/accounts/${accountId}/audit-events?action=webhook_endpoint.disabled`, { key: op });
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0]).toMatchObject({ actor: { type: 'system' }, target: { type: 'webhook_endpoint', id: goneEndpoint.id }, details: { reason: 'gone' } });

    // Disabled: no more deliveries, and no redelivery until enabled again.
    await createKey(api, op, accountId, { kind: 'secret' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(gone.received).toHaveLength(1);
    expectError(await api.post(`/v1/accounts/${accountId}/webhook-endpoints/${goneEndpoint.id}/deliveries/${delivery.id}/redeliver`, undefined, { key: op }), 409, 'webhook_endpoint_disabled');
    gone.answer = () => 204;
    const enabled = await api.patch(`/v1/accounts/${accountId}/webhook-endpoints/${goneEndpoint.id}`, { enabled: true }, { key: op });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
    await createKey(api, op, accountId, { kind: 'publishable' });
    await gone.waitFor(() => gone.received.some((r) => JSON.parse(r.body).data.object.kind === 'publishable'));
  });

  it('one slow endpoint does not hold up the others; deliveries to one endpoint are bounded', async () => {
    const slow = await receiver();
    slow.answer = () => 'hang';
    const fast = await receiver();
    const accountId = await merchant();
    await endpoint(accountId, slow.url(), ['key.created']);
    await endpoint(accountId, fast.url(), ['key.created']);
    const count = 20;
    for (let i = 0; i < count; i++) await createKey(api, op, accountId, { kind: 'publishable', name: `k${i}` });
    await fast.waitFor(() => fast.received.length >= count, 10_000);
    // Each fast delivery's lag from its event: had the slow endpoint held the worker up, most would
    // wait out its 1 s timeouts. The median ignores a machine hiccup; the API calls' time is not in it.
    const lags = fast.received.map((r) => r.at - Date.parse(JSON.parse(r.body).timestamp)).sort((a, b) => a - b);
    const medianLag = lags[Math.floor(lags.length / 2)]!;
    // The slow endpoint saw at most its per-endpoint limit at once (TESSERA_WEBHOOK_ENDPOINT_CONCURRENCY=3).
    expect(slow.maxInFlight).toBeGreaterThan(0);
    expect(slow.maxInFlight).toBeLessThanOrEqual(3);
    expect(medianLag, `lags ${lags.join(', ')} ms`).toBeLessThan(1000);
    expect(new Set(fast.received.map((r) => r.headers['webhook-id'])).size).toBe(count);
  });
});
