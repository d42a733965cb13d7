import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createAccount, createKey, openLive } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * A DNS the test controls. Nothing here ever connects to a resolved address
 * other than loopback: every refusal happens before any connection, and the
 * worker only runs (runOnce) once DNS answers loopback.
 */
const dns = new Map<string, string[]>();
const resolveHost = async (hostname: string) => dns.get(hostname) ?? [];

// Issue 7 "SSRF protection": in live, URLs that resolve to loopback, private,
// link-local or metadata addresses are refused at creation and again at
// delivery; sandbox allows localhost for development.
describe('webhook SSRF protection', () => {
  let server: TestServer;
  let api: Api;
  let op: string;
  let opLive: string;
  let merchantId: string;

  beforeAll(async () => {
    server = await startTestServer({ resolveHost, env: { TESSERA_WEBHOOK_WORKER: 'false' } });
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
    opLive = server.operatorKeys.live;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
    await openLive(api, opLive, merchantId);
  });
  afterAll(() => server.close());

  const create = (key: string, url: string) => api.post(`/v1/accounts/${merchantId}/webhook-endpoints`, { url, eventTypes: ['key.created'] }, { key });

  it('live refuses plain http, and every loopback, private, link-local, metadata, reserved or unspecified target, however written', async () => {
    dns.set('localhost', ['127.0.0.1', '::1']);
    dns.set('internal.example.com', ['10.20.30.40']);
    dns.set('mixed.example.com', ['93.184.216.34', '192.168.1.10']);
    dns.set('metadata.example.com', ['169.254.169.254']);
    dns.set('v6-private.example.com', ['fd12:3456::1']);
    dns.set('hooks.example.com', ['93.184.216.34']);
    const refused = [
      'http://hooks.example.com/plain-http',
      'https://127.0.0.1/x',
      'https://127.9.9.9/x',
      'https://localhost/x',
      'https://[::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://[::ffff:7f00:1]/x',
      'https://2130706433/x',
      'https://0x7f.1/x',
      'https://0.0.0.0/x',
      'https://10.0.0.1/x',
      'https://172.16.5.4/x',
      'https://192.168.0.1/x',
      'https://100.64.0.1/x',
      'https://169.254.169.254/latest/meta-data/',
      'https://169.254.10.1/x',
      'https://[fe80::1]/x',
      'https://[fd00::1]/x',
      'https://[fd00:ec2::254]/x',
      'https://[64:ff9b::a00:1]/x',
      'https://[2002:a00:1::]/x',
      'https://224.0.0.1/x',
      'https://255.255.255.255/x',
      'https://internal.example.com/x',
      'https://mixed.example.com/x',
      'https://metadata.example.com/x',
      'https://v6-private.example.com/x',
      'https://nowhere.example.com/x',
    ];
    for (const url of refused) {
      const response = await create(opLive, url);
      expectError(response, 400, 'webhook_url_not_allowed', 'url');
      expect(response.body.error.message, url).toMatch(/https|not allowed|resolves to no address/);
    }
    const metadata = await create(opLive, 'https://metadata.example.com/x');
    expect(metadata.body.error.message).toContain('169.254.169.254, a cloud metadata address');
    const live = await create(opLive, 'https://hooks.example.com/tessera');
    expect(live.status, live.text).toBe(201);
    expect((await api.get(`/v1/accounts/${merchantId}/webhook-endpoints`, { key: opLive })).body.data).toHaveLength(1);
  });

  it('sandbox allows localhost over http for development, but never private, link-local or metadata targets, nor plain http to the world', async () => {
    for (const url of ['http://localhost:3000/hooks', 'http://127.0.0.1:3000/hooks', 'http://[::1]:3000/hooks', 'https://hooks.example.com/sandbox']) {
      const response = await create(op, url);
      expect(response.status, `${url}: ${response.text}`).toBe(201);
    }
    for (const url of ['http://hooks.example.com/x', 'http://10.0.0.1/x', 'https://internal.example.com/x', 'http://169.254.169.254/latest', 'http://[fe80::1]/x', 'http://0.0.0.0:3000/x']) {
      expectError(await create(op, url), 400, 'webhook_url_not_allowed', 'url');
    }
  });

  it('checked again at delivery time: an endpoint whose DNS now answers loopback gets nothing, and the attempt says why', async () => {
    const receiver = await WebhookReceiver.start();
    // Whatever else exists, nothing the worker could reach answers a public address from now on.
    for (const host of dns.keys()) dns.set(host, ['127.0.0.1']);
    try {
      const accountId = await createAccount(api, op, { type: 'merchant', name: 'Rebound shop' });
      await openLive(api, opLive, accountId);
      dns.set('rebind.example.com', ['93.184.216.34']);
      const created = await api.post(`/v1/accounts/${accountId}/webhook-endpoints`, { url: `https://rebind.example.com:${receiver.port}/hooks`, eventTypes: ['key.created'] }, { key: opLive });
      expect(created.status, created.text).toBe(201);
      // DNS changes before anything is sent; the worker runs only after.
      dns.set('rebind.example.com', ['127.0.0.1']);
      await createKey(api, opLive, accountId, { kind: 'secret' });
      const pass = await server.tessera.webhooks.runOnce();
      expect(pass).toMatchObject({ attempted: 1, failed: 1, succeeded: 0 });
      expect(receiver.connections).toBe(0);
      const deliveries = await api.get(`/v1/accounts/${accountId}/webhook-endpoints/${created.body.id}/deliveries`, { key: opLive });
      const [delivery] = deliveries.body.data;
      expect(delivery).toMatchObject({ status: 'pending', attemptCount: 1, lastResponseStatus: null });
      expect(delivery.attempts[0].error).toMatch(/^address not allowed: .*rebind\.example\.com resolves to 127\.0\.0\.1, a loopback address/);
    } finally {
      await receiver.close();
    }
  });
});
