import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { eventually, expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** A server, an api on the URL a client would use, and a merchant whose keys the test creates. */
interface Setup {
  server: TestServer;
  api: Api;
  merchantId: string;
  /** A secret key of the merchant with this allowlist. */
  key(allowedIps: string[]): Promise<{ id: string; secret: string }>;
  /** The merchant read with `secret`, as the allowlist sees it. */
  read(secret: string, headers?: Record<string, string>): Promise<ApiResponse>;
}

async function setUp(env: Record<string, string>, clientUrl?: (server: TestServer) => string): Promise<Setup> {
  const server = await startTestServer({ env });
  const api = new Api(clientUrl === undefined ? server.url : clientUrl(server));
  const merchantId = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'Allowlisted' });
  return {
    server,
    api,
    merchantId,
    key: (allowedIps) => createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret', allowedIps }),
    read: (secret, headers = {}) => api.get(`/v1/accounts/${merchantId}`, { key: secret, headers }),
  };
}

function expectRefusedFrom(response: ApiResponse, ip: string): void {
  expectError(response, 403, 'ip_not_allowed');
  expect(response.body.error.type).toBe('permission_error');
  expect(response.body.error.message).toContain(`came from ${ip}.`);
  expect(response.body.error.message).toMatch(/allowedIps/);
}

// SPEC: "allowed IPs (CIDR, v4 and v6)"; OneKey: "You will be able to hit our
// APIs only from the IPs you have previously whitelisted". Real clients on
// IPv4, IPv6 and a dual-stack socket; proxies through X-Forwarded-For.
describe('IP allowlists', () => {
  describe('IPv4 client, no trusted proxies', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setUp({});
    });
    afterAll(() => s.server.close());

    it('admits a client inside an IPv4 range, refuses one outside, naming the IP it saw', async () => {
      for (const cidrs of [['127.0.0.1'], ['127.0.0.1/32'], ['127.0.0.0/8'], ['0.0.0.0/0'], ['203.0.113.0/24', '127.0.0.0/30']]) {
        const key = await s.key(cidrs);
        const response = await s.read(key.secret);
        expect(response.status, `${cidrs.join(',')}: ${response.text}`).toBe(200);
      }
      for (const cidrs of [['203.0.113.9'], ['127.0.0.2/32'], ['10.0.0.0/8', '192.168.0.0/16'], ['::1/128']]) {
        const key = await s.key(cidrs);
        expectRefusedFrom(await s.read(key.secret), '127.0.0.1');
      }
    });

    it('an empty allowlist admits any client; the key shows its list', async () => {
      const key = await s.key([]);
      expect((await s.read(key.secret)).status).toBe(200);
      const view = await s.api.get(`/v1/accounts/${s.merchantId}/keys/${key.id}`, { key: s.server.operatorKeys.sandbox });
      expect(view.body.allowedIps).toEqual([]);
      const written = await s.key([' 10.0.0.0/8 ', '10.0.0.0/8', '2001:db8::/32']);
      const shown = await s.api.get(`/v1/accounts/${s.merchantId}/keys/${written.id}`, { key: s.server.operatorKeys.sandbox });
      expect(shown.body.allowedIps).toEqual(['10.0.0.0/8', '2001:db8::/32']);
    });

    it('a spoofed X-Forwarded-For changes nothing without trusted proxies', async () => {
      const key = await s.key(['203.0.113.9']);
      for (const xff of ['203.0.113.9', '203.0.113.9, 127.0.0.1', '127.0.0.1, 203.0.113.9']) {
        expectRefusedFrom(await s.read(key.secret, { 'x-forwarded-for': xff, 'x-real-ip': '203.0.113.9', forwarded: 'for=203.0.113.9' }), '127.0.0.1');
      }
    });

    it('is checked before the permission and the signature (SPEC order)', async () => {
      const op = s.server.operatorKeys.sandbox;
      const restricted = await createKey(s.api, op, s.merchantId, { kind: 'restricted', permissions: ['keys.read'], allowedIps: ['203.0.113.9'] });
      expectRefusedFrom(await s.read(restricted.secret), '127.0.0.1');
      const signing = await createKey(s.api, op, s.merchantId, { kind: 'secret', generateHMAC: true, allowedIps: ['203.0.113.9'] });
      expectRefusedFrom(await s.read(signing.secret), '127.0.0.1');
      // From an allowed IP the next check speaks.
      const allowedRestricted = await createKey(s.api, op, s.merchantId, { kind: 'restricted', permissions: ['keys.read'], allowedIps: ['127.0.0.1'] });
      expectError(await s.read(allowedRestricted.secret), 403, 'permission_denied');
      const allowedSigning = await createKey(s.api, op, s.merchantId, { kind: 'secret', generateHMAC: true, allowedIps: ['127.0.0.1'] });
      expectError(await s.read(allowedSigning.secret), 401, 'signature_missing');
    });

    it('PATCH allowedIps takes effect on the very next request', async () => {
      const op = s.server.operatorKeys.sandbox;
      const key = await s.key(['203.0.113.9']);
      const path = `/v1/accounts/${s.merchantId}/keys/${key.id}`;
      expectRefusedFrom(await s.read(key.secret), '127.0.0.1');
      const opened = await s.api.patch(path, { allowedIps: ['127.0.0.1/32'] }, { key: op });
      expect(opened.status, opened.text).toBe(200);
      expect(opened.body.allowedIps).toEqual(['127.0.0.1/32']);
      expect((await s.read(key.secret)).status).toBe(200);
      expect((await s.api.patch(path, { allowedIps: ['198.51.100.0/24'] }, { key: op })).status).toBe(200);
      expectRefusedFrom(await s.read(key.secret), '127.0.0.1');
      expect((await s.api.patch(path, { allowedIps: [] }, { key: op })).status).toBe(200);
      expect((await s.read(key.secret)).status).toBe(200);
      // A PATCH without allowedIps leaves the list alone.
      expect((await s.api.patch(path, { allowedIps: ['198.51.100.0/24'] }, { key: op })).status).toBe(200);
      const renamed = await s.api.patch(path, { name: 'still restricted' }, { key: op });
      expect(renamed.body.allowedIps).toEqual(['198.51.100.0/24']);
      expectRefusedFrom(await s.read(key.secret), '127.0.0.1');
      // The audit log records the change.
      const audit = await s.api.get(`/v1/accounts/${s.merchantId}/audit-events`, { key: op });
      expect(audit.body.data.some((e: { action: string; target: { id: string }; details: { changes?: { allowedIps?: string[] } } }) => e.target.id === key.id && e.details.changes?.allowedIps?.[0] === '127.0.0.1/32')).toBe(true);
    });

    it('an invalid entry is a 400 naming allowedIps[i]; nothing is created or changed', async () => {
      const op = s.server.operatorKeys.sandbox;
      const keys = `/v1/accounts/${s.merchantId}/keys`;
      const before = (await s.api.get(keys, { key: op })).body.data.length;
      const cases: Array<[string[], number]> = [
        [['not-an-ip'], 0],
        [['127.0.0.1', '10.0.0.0/33'], 1],
        [['127.0.0.1', '::1', '1.2.3.4/'], 2],
        [['::1/129'], 0],
        [['1.2.3.4/8/8'], 0],
        [['999.1.1.1'], 0],
        [['10.0.0.0/-1'], 0],
        [['10.0.0.0/ 8'], 0],
        [['::ffff:10.0.0.0/64'], 0],
        [['localhost'], 0],
        [['10.0.0.1', '2001:db8:::1'], 1],
      ];
      for (const [allowedIps, index] of cases) {
        const response = await s.api.post(keys, { kind: 'secret', allowedIps }, { key: op });
        expectError(response, 400, 'invalid_field', `allowedIps[${index}]`);
        expect(response.body.error.message).toContain(`allowedIps[${index}]`);
      }
      expect((await s.api.get(keys, { key: op })).body.data.length).toBe(before);
      const key = await s.key(['127.0.0.1']);
      expectError(await s.api.patch(`${keys}/${key.id}`, { allowedIps: ['127.0.0.1', 'nope'] }, { key: op }), 400, 'invalid_field', 'allowedIps[1]');
      expect((await s.read(key.secret)).status).toBe(200);
      expect((await s.api.get(`${keys}/${key.id}`, { key: op })).body.allowedIps).toEqual(['127.0.0.1']);
      // The schema bounds each entry too.
      expectError(await s.api.post(keys, { kind: 'secret', allowedIps: ['1'.repeat(65)] }, { key: op }), 400, 'invalid_field');
      expect((await s.api.post(keys, { kind: 'secret', allowedIps: [42] }, { key: op })).status).toBe(400);
    });
  });

  describe('IPv6 client (listening on ::1)', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setUp({ HOST: '::1' });
    });
    afterAll(() => s.server.close());

    it('an IPv6 HOST gives a public URL with the address in brackets', () => {
      expect(loadConfig({ HOST: '::1', PORT: '8080' }).publicUrl).toBe('http://[::1]:8080');
      expect(new URL(s.server.url).hostname).toBe('[::1]');
    });

    it('matches IPv6 ranges; an IPv4 range does not match ::1', async () => {
      for (const cidrs of [['::1'], ['::1/128'], ['::/0'], ['2001:db8::/32', '::/127'], ['0:0:0:0:0:0:0:1']]) {
        expect((await s.read((await s.key(cidrs)).secret)).status, cidrs.join(',')).toBe(200);
      }
      for (const cidrs of [['127.0.0.1'], ['0.0.0.0/0'], ['2001:db8::/32'], ['::2/128'], ['::ffff:127.0.0.1']]) {
        expectRefusedFrom(await s.read((await s.key(cidrs)).secret), '::1');
      }
    });
  });

  describe('IPv4 client on a dual-stack listener (::ffff:127.0.0.1)', () => {
    let s: Setup;
    beforeAll(async () => {
      // Listening on :: and connecting to 127.0.0.1: the socket reports ::ffff:127.0.0.1.
      s = await setUp({ HOST: '::' }, (server) => `http://127.0.0.1:${new URL(server.url).port}`);
    });
    afterAll(() => s.server.close());

    it('an IPv4-mapped address matches IPv4 ranges and mapped IPv6 ranges', async () => {
      for (const cidrs of [['127.0.0.1/32'], ['127.0.0.0/8'], ['::ffff:127.0.0.1'], ['::ffff:127.0.0.0/104'], ['0.0.0.0/0']]) {
        expect((await s.read((await s.key(cidrs)).secret)).status, cidrs.join(',')).toBe(200);
      }
      for (const cidrs of [['10.0.0.0/8'], ['::1'], ['::ffff:10.0.0.0/104'], ['2001:db8::/32']]) {
        const response = await s.read((await s.key(cidrs)).secret);
        expectError(response, 403, 'ip_not_allowed');
        expect(response.body.error.message).toMatch(/came from (::ffff:)?127\.0\.0\.1\./);
      }
    });
  });

  describe('behind trusted proxies (127.0.0.1 and 10.0.0.0/8)', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setUp({ TESSERA_TRUSTED_PROXIES: '127.0.0.1/32, 10.0.0.0/8' });
    });
    afterAll(() => s.server.close());

    it('the client is the rightmost hop that is not a trusted proxy', async () => {
      const only = await s.key(['203.0.113.9']);
      const admitted: string[] = ['203.0.113.9', '203.0.113.9, 10.0.0.1', '203.0.113.9, 10.1.2.3, 10.0.0.1', '198.51.100.1, 203.0.113.9', '198.51.100.1, 203.0.113.9, 10.0.0.1'];
      for (const xff of admitted) expect((await s.read(only.secret, { 'x-forwarded-for': xff })).status, xff).toBe(200);
      // A client may put anything on the left of the chain: it is not believed.
      expectRefusedFrom(await s.read(only.secret, { 'x-forwarded-for': '203.0.113.9, 198.51.100.1' }), '198.51.100.1');
      expectRefusedFrom(await s.read(only.secret, { 'x-forwarded-for': '203.0.113.9, 198.51.100.1, 10.0.0.1' }), '198.51.100.1');
      // Without the header, the proxy itself is the client.
      expectRefusedFrom(await s.read(only.secret), '127.0.0.1');
      // Every hop trusted: the leftmost is the client.
      expect((await s.read((await s.key(['10.0.0.5'])).secret, { 'x-forwarded-for': '10.0.0.5, 10.0.0.1' })).status).toBe(200);
    });

    it('forwarded IPv6 and IPv4-mapped clients meet IPv6 and IPv4 ranges', async () => {
      const v6 = await s.key(['2001:db8::/32']);
      expect((await s.read(v6.secret, { 'x-forwarded-for': '2001:db8::7' })).status).toBe(200);
      expect((await s.read(v6.secret, { 'x-forwarded-for': '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, 10.0.0.1' })).status).toBe(200);
      expectRefusedFrom(await s.read(v6.secret, { 'x-forwarded-for': '2001:db9::7' }), '2001:db9::7');
      const v4 = await s.key(['203.0.113.0/24']);
      expect((await s.read(v4.secret, { 'x-forwarded-for': '::ffff:203.0.113.77' })).status).toBe(200);
      expectRefusedFrom(await s.read(v4.secret, { 'x-forwarded-for': '::ffff:203.0.114.1' }), '::ffff:203.0.114.1');
      const host = await s.key(['2001:db8::1/128']);
      expect((await s.read(host.secret, { 'x-forwarded-for': '2001:0db8:0000:0000:0000:0000:0000:0001' })).status).toBe(200);
      expect((await s.read(host.secret, { 'x-forwarded-for': '2001:db8::2' })).status).toBe(403);
    });

    it('a forwarded value that is not an address is allowed by no list, and answers cleanly', async () => {
      const only = await s.key(['203.0.113.9']);
      for (const xff of ['not-an-ip', '203.0.113.9.1', '203.0.113.9:443', '[2001:db8::1]']) {
        const response = await s.read(only.secret, { 'x-forwarded-for': xff });
        expectError(response, 403, 'ip_not_allowed');
      }
    });

    it("records the client's IP as the key's last use", async () => {
      const key = await s.key([]);
      expect((await s.read(key.secret, { 'x-forwarded-for': '198.51.100.23, 10.0.0.1' })).status).toBe(200);
      await eventually(async () => {
        const view = await s.api.get(`/v1/accounts/${s.merchantId}/keys/${key.id}`, { key: s.server.operatorKeys.sandbox });
        expect(view.body.lastUsedIp).toBe('198.51.100.23');
      });
    });
  });

  describe('behind one trusted proxy (127.0.0.1/32 only)', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setUp({ TESSERA_TRUSTED_PROXIES: '127.0.0.1/32' });
    });
    afterAll(() => s.server.close());

    it('an untrusted hop stops the walk: it is the client', async () => {
      const client = await s.key(['203.0.113.9']);
      expect((await s.read(client.secret, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
      expectRefusedFrom(await s.read(client.secret, { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' }), '10.0.0.1');
      const hop = await s.key(['10.0.0.0/8']);
      expect((await s.read(hop.secret, { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' })).status).toBe(200);
    });
  });

  it('TESSERA_TRUSTED_PROXIES must be addresses or CIDRs', () => {
    expect(() => loadConfig({ TESSERA_TRUSTED_PROXIES: '127.0.0.1, proxy.internal' })).toThrow(/TESSERA_TRUSTED_PROXIES/);
    expect(() => loadConfig({ TESSERA_TRUSTED_PROXIES: '10.0.0.0/40' })).toThrow(/TESSERA_TRUSTED_PROXIES/);
    expect(loadConfig({ TESSERA_TRUSTED_PROXIES: '10.0.0.0/8, ::1' }).trustedProxies).toEqual(['10.0.0.0/8', '::1']);
  });
});
