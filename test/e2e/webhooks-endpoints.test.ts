import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { dumpRows } from '../helpers/database-dump.js';
import { createAccount, createKey, openLive, type IssuedKey } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { verifyDelivery, WebhookReceiver } from '../helpers/webhook-receiver.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

// Issue 7 "Endpoints": per account and environment, through the API, with a
// whsec_ secret shown once, stored sealed, rotated with an overlap.
describe('webhook endpoints', () => {
  let server: TestServer;
  let api: Api;
  let op: string;
  let merchantId: string;
  let base: string;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { TESSERA_WEBHOOK_POLL_MS: '50' } });
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
    base = `/v1/accounts/${merchantId}/webhook-endpoints`;
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

  async function create(body: Record<string, unknown>, key = op, path = base): Promise<ApiResponse> {
    return api.post(path, body, { key });
  }

  it('create answers the whsec_ secret once; list and get never show it; the database holds it sealed only', async () => {
    const created = await create({ url: 'http://localhost:4000/hooks?src=tessera', eventTypes: ['key.created', 'key.*', 'key.created'], description: 'Order service', metadata: { team: 'ops' } });
    expect(created.status, created.text).toBe(201);
    const endpoint = created.body;
    expect(endpoint.id).toMatch(/^we_[0-9A-Za-z]+$/);
    expect(endpoint).toMatchObject({
      object: 'webhook_endpoint',
      accountId: merchantId,
      environment: 'sandbox',
      url: 'http://localhost:4000/hooks?src=tessera',
      description: 'Order service',
      eventTypes: ['key.created', 'key.*'],
      enabled: true,
      status: 'enabled',
      disabledReason: null,
      previousSecretExpiresAt: null,
      failingSince: null,
      metadata: { team: 'ops' },
    });
    // Standard Webhooks: whsec_ and base64 of 24 to 64 random bytes (32 here).
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(endpoint.secret.slice(6), 'base64')).toHaveLength(32);

    const got = await api.get(`${base}/${endpoint.id}`, { key: op });
    expect(got.status).toBe(200);
    const { secret, ...withoutSecret } = endpoint;
    expect(got.body).toEqual(withoutSecret);
    const listed = await api.get(base, { key: op });
    expect(listed.body.data.find((e: { id: string }) => e.id === endpoint.id)).toEqual(withoutSecret);
    for (const text of [got.text, listed.text]) expect(text).not.toContain(secret.slice(6, 30));

    const { rows } = await dumpRows(server.env);
    const row = rows.find((r) => r.table === 'webhook_endpoints' && r.row.id === endpoint.id)!;
    expect(String(row.row.secret_sealed)).toMatch(/^mk1\./);
    for (const r of rows) expect(r.text, `${r.table} holds the webhook secret in clear`).not.toContain(secret.slice(6, 30));
  });

  it('bad input is a 400 naming the field, and writes nothing', async () => {
    const before = (await api.get(base, { key: op })).body.data.length;
    const unknown = await create({ url: 'http://localhost/x', eventTypes: ['key.created', 'key.teleported'] });
    expectError(unknown, 400, 'unknown_event_type', 'eventTypes');
    expect(unknown.body.error.message).toContain('key.teleported');
    expect(unknown.body.error.message).toContain('key.disabled');
    expectError(await create({ url: 'http://localhost/x', eventTypes: ['nothing.*'] }), 400, 'unknown_event_type', 'eventTypes');
    expectError(await create({ url: 'http://localhost/x', eventTypes: [] }), 400, 'invalid_field', 'eventTypes');
    expectError(await create({ eventTypes: ['*'] }), 400, 'missing_field', 'url');
    expectError(await create({ url: 'http://localhost/x' }), 400, 'missing_field', 'eventTypes');
    expectError(await create({ url: 'http://localhost/x', eventTypes: ['*'], secret: 'whsec_mine' }), 400, 'unknown_field', 'secret');
    for (const url of ['not a url', 'ftp://localhost/x', 'http://user:pass@localhost/x', 'http://localhost/x#frag', `https://localhost/${'a'.repeat(2100)}`]) {
      const refused = await create({ url, eventTypes: ['*'] });
      expect([400], `${url}: ${refused.text}`).toContain(refused.status);
      expect(['webhook_url_not_allowed', 'invalid_field']).toContain(refused.body.error.code);
      expect(refused.body.error.param).toBe('url');
    }
    expect((await api.get(base, { key: op })).body.data.length).toBe(before);
  });

  it('PATCH changes URL, event types, description and enabled; an empty PATCH changes nothing; every change is audited', async () => {
    const { body: endpoint } = await create({ url: 'http://127.0.0.1:4001/a', eventTypes: ['*'] });
    const path = `${base}/${endpoint.id}`;
    const patched = await api.patch(path, { url: 'http://127.0.0.1:4002/b', eventTypes: ['key.deleted'], description: 'moved' }, { key: op });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ url: 'http://127.0.0.1:4002/b', eventTypes: ['key.deleted'], description: 'moved', enabled: true });
    const disabled = await api.patch(path, { enabled: false }, { key: op });
    expect(disabled.body).toMatchObject({ enabled: false, status: 'disabled', disabledReason: 'manual' });
    expect((await api.patch(path, {}, { key: op })).body).toEqual(disabled.body);
    expectError(await api.patch(path, { url: 'https://169.254.169.254/latest' }, { key: op }), 400, 'webhook_url_not_allowed', 'url');
    expectError(await api.patch(path, { eventTypes: ['nope'] }, { key: op }), 400, 'unknown_event_type', 'eventTypes');
    expectError(await api.patch(path, { secret: 'x' }, { key: op }), 400, 'unknown_field', 'secret');
    const enabled = await api.patch(path, { enabled: true }, { key: op });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, url: 'http://127.0.0.1:4002/b' });
    const rotated = await api.post(`${path}/rotate-secret`, { overlapSeconds: 0 }, { key: op });
    expect(rotated.status, rotated.text).toBe(200);
    const deleted = await api.delete(path, { key: op });
    expect(deleted.status, deleted.text).toBe(200);
    expectError(await api.get(path, { key: op }), 404, 'resource_not_found');
    expectError(await api.patch(path, { enabled: false }, { key: op }), 404, 'resource_not_found');
    expectError(await api.delete(path, { key: op }), 404, 'resource_not_found');

    const audit = await api.get(`/v1/accounts/${merchantId}/audit-events?limit=200`, { key: op });
    const mine = audit.body.data.filter((e: any) => e.target.id === endpoint.id).map((e: any) => e.action).reverse();
    expect(mine).toEqual(['webhook_endpoint.created', 'webhook_endpoint.updated', 'webhook_endpoint.disabled', 'webhook_endpoint.enabled', 'webhook_endpoint.secret_rotated', 'webhook_endpoint.deleted']);
    for (const e of audit.body.data.filter((x: any) => x.target.id === endpoint.id)) {
      expect(e.actor.type).toBe('credential');
      expect(JSON.stringify(e.details)).not.toMatch(/whsec_/);
    }
  });

  it('at most 16 endpoints per account and environment', async () => {
    const accountId = await createAccount(api, op, { type: 'merchant', name: 'Many hooks' });
    const path = `/v1/accounts/${accountId}/webhook-endpoints`;
    for (let i = 0; i < 16; i++) expect((await create({ url: `http://localhost/${i}`, eventTypes: ['*'] }, op, path)).status).toBe(201);
    expectError(await create({ url: 'http://localhost/17', eventTypes: ['*'] }, op, path), 400, 'invalid_request');
  });

  it('the limit holds when creations race: 24 at once make exactly 16', async () => {
    const accountId = await createAccount(api, op, { type: 'merchant', name: 'Racing hooks' });
    const path = `/v1/accounts/${accountId}/webhook-endpoints`;
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => create({ url: `http://localhost/race/${i}`, eventTypes: ['*'] }, op, path)));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array<number>(16).fill(201), ...Array<number>(8).fill(400)]);
    const listed = await api.get(path, { key: op });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.data).toHaveLength(16);
  });

  it('GET /v1/event-types lists the registry, for any valid key', async () => {
    const publishable = await createKey(api, op, merchantId, { kind: 'publishable' });
    const listed = await api.get('/v1/event-types', { key: publishable.secret });
    expect(listed.status, listed.text).toBe(200);
    const names = listed.body.data.map((t: { name: string }) => t.name);
    for (const name of ['key.created', 'key.enabled', 'key.disabled', 'key.rolled', 'key.deleted', 'key.expiring_soon', 'key.expired', 'checkout.session.completed', 'payment.succeeded', 'payment.refunded', 'cashout.paid', 'cashout.failed']) expect(names).toContain(name);
    for (const type of listed.body.data) expect(typeof type.emitted, type.name).toBe('boolean');
    expect(listed.body.data.filter((t: { name: string }) => t.name.startsWith('key.')).every((t: { emitted: boolean }) => t.emitted)).toBe(true);
    expect((await api.get('/v1/event-types')).status).toBe(401);
  });

  describe('who may', () => {
    let partnerKey: IssuedKey;
    let subMerchantId: string;
    let strangerId: string;
    let strangerEndpointId: string;

    beforeAll(async () => {
      const partnerId = await createAccount(api, op, { type: 'partner', name: 'Platform' });
      partnerKey = await createKey(api, op, partnerId, { kind: 'secret' });
      subMerchantId = await createAccount(api, partnerKey.secret, { type: 'merchant', name: 'Sub shop' });
      strangerId = await createAccount(api, op, { type: 'merchant', name: 'Stranger' });
      strangerEndpointId = (await create({ url: 'http://localhost/s', eventTypes: ['*'] }, op, `/v1/accounts/${strangerId}/webhook-endpoints`)).body.id;
    });

    it("a partner's secret key manages its sub-merchant's endpoints and reads its events; a stranger's are 404 on every route", async () => {
      const path = `/v1/accounts/${subMerchantId}/webhook-endpoints`;
      const created = await create({ url: 'http://localhost/p', eventTypes: ['*'] }, partnerKey.secret, path);
      expect(created.status, created.text).toBe(201);
      expect((await api.get(path, { key: partnerKey.secret })).body.data).toHaveLength(1);
      expect((await api.get(`/v1/accounts/${subMerchantId}/events`, { key: partnerKey.secret })).status).toBe(200);
      const stranger = `/v1/accounts/${strangerId}`;
      const calls: [string, () => Promise<ApiResponse>][] = [
        ['create', () => create({ url: 'http://localhost/x', eventTypes: ['*'] }, partnerKey.secret, `${stranger}/webhook-endpoints`)],
        ['list', () => api.get(`${stranger}/webhook-endpoints`, { key: partnerKey.secret })],
        ['get', () => api.get(`${stranger}/webhook-endpoints/${strangerEndpointId}`, { key: partnerKey.secret })],
        ['patch', () => api.patch(`${stranger}/webhook-endpoints/${strangerEndpointId}`, { enabled: false }, { key: partnerKey.secret })],
        ['delete', () => api.delete(`${stranger}/webhook-endpoints/${strangerEndpointId}`, { key: partnerKey.secret })],
        ['rotate', () => api.post(`${stranger}/webhook-endpoints/${strangerEndpointId}/rotate-secret`, {}, { key: partnerKey.secret })],
        ['deliveries', () => api.get(`${stranger}/webhook-endpoints/${strangerEndpointId}/deliveries`, { key: partnerKey.secret })],
        ['events', () => api.get(`${stranger}/events`, { key: partnerKey.secret })],
      ];
      for (const [name, call] of calls) {
        const response = await call();
        expect(response.status, `${name}: ${response.text}`).toBe(404);
        expect(response.body.error.code).toBe('resource_not_found');
      }
      expect((await api.get(`${stranger}/webhook-endpoints/${strangerEndpointId}`, { key: op })).body.enabled).toBe(true);
    });

    it("the account's own secret key manages its endpoints; restricted keys only with the operations named; publishable keys never", async () => {
      const own = await createKey(api, op, strangerId, { kind: 'secret' });
      const path = `/v1/accounts/${strangerId}/webhook-endpoints`;
      expect((await create({ url: 'http://localhost/own', eventTypes: ['*'] }, own.secret, path)).status).toBe(201);
      const reader = await createKey(api, op, strangerId, { kind: 'restricted', permissions: ['webhook_endpoints.read'] });
      expect((await api.get(path, { key: reader.secret })).status).toBe(200);
      expectError(await create({ url: 'http://localhost/r', eventTypes: ['*'] }, reader.secret, path), 403, 'permission_denied');
      expectError(await api.get(`/v1/accounts/${strangerId}/events`, { key: reader.secret }), 403, 'permission_denied');
      const manager = await createKey(api, op, strangerId, { kind: 'restricted', permissions: ['webhook_endpoints.manage', 'events.read'] });
      expect((await create({ url: 'http://localhost/m', eventTypes: ['*'] }, manager.secret, path)).status).toBe(201);
      expect((await api.get(`/v1/accounts/${strangerId}/events`, { key: manager.secret })).status).toBe(200);
      expectError(await api.get(path, { key: manager.secret }), 403, 'permission_denied');
      const publishable = await createKey(api, op, strangerId, { kind: 'publishable' });
      expectError(await api.get(path, { key: publishable.secret }), 403, 'permission_denied');
      expectError(await create({ url: 'http://localhost/p', eventTypes: ['*'] }, publishable.secret, path), 403, 'permission_denied');
    });

    it('sandbox and live are apart: a live credential sees no sandbox endpoint or event, even by id', async () => {
      const live = server.operatorKeys.live;
      await openLive(api, live, strangerId);
      const path = `/v1/accounts/${strangerId}/webhook-endpoints`;
      expect((await api.get(path, { key: live })).body.data).toEqual([]);
      expectError(await api.get(`${path}/${strangerEndpointId}`, { key: live }), 404, 'resource_not_found');
      expectError(await api.patch(`${path}/${strangerEndpointId}`, { enabled: false }, { key: live }), 404, 'resource_not_found');
      const sandboxEvents = (await api.get(`/v1/accounts/${strangerId}/events`, { key: op })).body.data;
      expect(sandboxEvents.length).toBeGreaterThan(0);
      for (const event of sandboxEvents) expectError(await api.get(`/v1/accounts/${strangerId}/events/${event.id}`, { key: live }), 404, 'resource_not_found');
      const liveEvents = (await api.get(`/v1/accounts/${strangerId}/events`, { key: live })).body.data;
      expect(liveEvents.map((e: { type: string }) => e.type)).toEqual(['account.live_opened']);
      expect(liveEvents[0]).toMatchObject({ environment: 'live', data: { object: { id: strangerId, liveEnabled: true } } });
    });
  });

  describe('secret rotation', () => {
    it('during the overlap every delivery carries two signatures, each verifiable on its own; then only the new one', async () => {
      const hooks = await receiver();
      const accountId = await createAccount(api, op, { type: 'merchant', name: 'Rotating shop' });
      const path = `/v1/accounts/${accountId}/webhook-endpoints`;
      const { body: endpoint } = await create({ url: hooks.url(), eventTypes: ['key.created'] }, op, path);
      const oldSecret: string = endpoint.secret;

      const rotated = await api.post(`${path}/${endpoint.id}/rotate-secret`, { overlapSeconds: 3600 }, { key: op });
      expect(rotated.status, rotated.text).toBe(200);
      const newSecret: string = rotated.body.secret;
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(oldSecret);
      expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(3500_000);
      expect((await api.get(`${path}/${endpoint.id}`, { key: op })).body.secret).toBeUndefined();

      await createKey(api, op, accountId, { kind: 'secret' });
      await hooks.waitFor(() => hooks.received.length === 1);
      const during = hooks.received[0]!;
      const signatures = String(during.headers['webhook-signature']).split(' ');
      expect(signatures).toHaveLength(2);
      for (const signature of signatures) expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      // A receiver still on the old secret, and one already on the new, both accept it.
      expect(verifyDelivery(oldSecret, during).type).toBe('key.created');
      expect(verifyDelivery(newSecret, during).type).toBe('key.created');
      // Each signature on its own verifies with exactly one of the secrets.
      for (const [i, signature] of signatures.entries()) {
        const single = { ...during, headers: { ...during.headers, 'webhook-signature': signature } };
        expect(() => verifyDelivery(i === 0 ? newSecret : oldSecret, single)).not.toThrow();
        expect(() => verifyDelivery(i === 0 ? oldSecret : newSecret, single)).toThrow();
      }

      // Rotate again with no overlap: one signature, by the newest secret only.
      const again = await api.post(`${path}/${endpoint.id}/rotate-secret`, { overlapSeconds: 0 }, { key: op });
      expect(again.body.previousSecretExpiresAt).toBeNull();
      await createKey(api, op, accountId, { kind: 'secret' });
      await hooks.waitFor(() => hooks.received.length === 2);
      const after = hooks.received[1]!;
      expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(verifyDelivery(again.body.secret, after).type).toBe('key.created');
      expect(() => verifyDelivery(newSecret, after)).toThrow();
      expect(() => verifyDelivery(oldSecret, after)).toThrow();
      expectError(await api.post(`${path}/${endpoint.id}/rotate-secret`, { overlapSeconds: 604801 }, { key: op }), 400, 'invalid_field', 'overlapSeconds');
    });

    it('`tessera master-key rotate` re-encrypts webhook secrets; deliveries are signed as before', async () => {
      const hooks = await receiver();
      const accountId = await createAccount(api, op, { type: 'merchant', name: 'Master key shop' });
      const path = `/v1/accounts/${accountId}/webhook-endpoints`;
      const { body: endpoint } = await create({ url: hooks.url(), eventTypes: ['key.created'] }, op, path);
      const rotated = await api.post(`${path}/${endpoint.id}/rotate-secret`, { overlapSeconds: 3600 }, { key: op });
      const before = (await dumpRows(server.env)).rows.find((r) => r.table === 'webhook_endpoints' && r.row.id === endpoint.id)!.row;

      const { stdout } = await run(process.execPath, [BIN, 'master-key', 'rotate', '--json'], { env: { ...process.env, ...server.env }, encoding: 'utf8', timeout: 60_000 });
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(result.reencrypted['webhook_endpoints.secret_sealed']).toBeGreaterThanOrEqual(1);
      expect(result.reencrypted['webhook_endpoints.previous_secret_sealed']).toBeGreaterThanOrEqual(1);
      const after = (await dumpRows(server.env)).rows.find((r) => r.table === 'webhook_endpoints' && r.row.id === endpoint.id)!.row;
      for (const column of ['secret_sealed', 'previous_secret_sealed']) {
        expect(String(after[column]).split('.')[1]).toBe(result.currentKeyId);
        expect(after[column]).not.toBe(before[column]);
      }

      await createKey(api, op, accountId, { kind: 'secret' });
      await hooks.waitFor(() => hooks.received.length === 1);
      expect(verifyDelivery(endpoint.secret, hooks.received[0]!).type).toBe('key.created');
      expect(verifyDelivery(rotated.body.secret, hooks.received[0]!).type).toBe('key.created');
    });
  });
});
