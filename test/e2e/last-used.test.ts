import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialsRepository, type UsageSample } from '../../src/storage/credentials-repository.js';
import { Api } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { eventually, openDirectDatabase } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const LOCALHOST = ['127.0.0.1', '::ffff:127.0.0.1'];

// SPEC: list and get show "last used (time and IP)". Recorded in memory, written in batches.
describe('last used', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('with the test flush interval (50 ms)', () => {
    let server: TestServer;
    let api: Api;
    let op: string;
    let merchantId: string;

    beforeAll(async () => {
      server = await startTestServer();
      api = new Api(server.url);
      op = server.operatorKeys.sandbox;
      merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
    });
    afterAll(() => server.close());

    const getKey = async (keyId: string) => (await api.get(`/v1/accounts/${merchantId}/keys/${keyId}`, { key: op })).body;

    it('GET key shows lastUsedAt and lastUsedIp after the key is used', async () => {
      const key = await createKey(api, op, merchantId, { kind: 'secret' });
      expect(await getKey(key.id)).toMatchObject({ lastUsedAt: null, lastUsedIp: null });
      const before = Date.now();
      let lastSent = before;
      for (let i = 0; i < 3; i++) {
        lastSent = Date.now();
        expect((await api.get(`/v1/accounts/${merchantId}`, { key: key.secret })).status).toBe(200);
      }
      const after = Date.now();
      // A flush may land between two of the requests: wait for the one that holds the last.
      const seen = await eventually(async () => {
        const view = await getKey(key.id);
        expect(view.lastUsedAt).not.toBeNull();
        expect(Date.parse(view.lastUsedAt)).toBeGreaterThanOrEqual(lastSent);
        return view;
      });
      expect(LOCALHOST).toContain(seen.lastUsedIp);
      const at = Date.parse(seen.lastUsedAt);
      expect(at).toBeGreaterThanOrEqual(before - 5);
      expect(at).toBeLessThanOrEqual(after + 5);
      // The list shows it too.
      const listed = (await api.get(`/v1/accounts/${merchantId}/keys`, { key: op })).body.data.find((k: { id: string }) => k.id === key.id);
      expect(listed).toMatchObject({ lastUsedAt: seen.lastUsedAt, lastUsedIp: seen.lastUsedIp });
    });

    it('moves forward with later use', async () => {
      const key = await createKey(api, op, merchantId, { kind: 'secret' });
      await api.get(`/v1/accounts/${merchantId}`, { key: key.secret });
      const first = await eventually(async () => {
        const view = await getKey(key.id);
        expect(view.lastUsedAt).not.toBeNull();
        return Date.parse(view.lastUsedAt);
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await api.get(`/v1/accounts/${merchantId}`, { key: key.secret });
      await eventually(async () => expect(Date.parse((await getKey(key.id)).lastUsedAt)).toBeGreaterThan(first));
    });

    it('a failed request does not count as use', async () => {
      const key = await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read'] });
      expect((await api.get(`/v1/accounts/${merchantId}/keys`, { key: key.secret })).status).toBe(403);
      await api.patch(`/v1/accounts/${merchantId}/keys/${key.id}`, { enabled: false }, { key: op });
      expect((await api.get(`/v1/accounts/${merchantId}`, { key: key.secret })).status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await getKey(key.id)).toMatchObject({ lastUsedAt: null, lastUsedIp: null });
    });

    it("verify records the IP the operator's service saw", async () => {
      const key = await createKey(api, op, merchantId, { kind: 'secret' });
      const verified = await api.post('/v1/keys/verify', { credential: key.secret, ip: '203.0.113.7' }, { key: op });
      expect(verified.body.valid, verified.text).toBe(true);
      await eventually(async () => expect(await getKey(key.id)).toMatchObject({ lastUsedIp: '203.0.113.7' }));
    });

    it('usage is written in batches: 200 requests, a handful of writes', async () => {
      const writes = vi.spyOn(CredentialsRepository.prototype, 'recordUsage');
      const key = await createKey(api, op, merchantId, { kind: 'secret' });
      await server.tessera.usage.flush();
      writes.mockClear();
      const started = Date.now();
      for (let batch = 0; batch < 10; batch++) {
        const responses = await Promise.all(Array.from({ length: 20 }, () => api.get(`/v1/accounts/${merchantId}`, { key: key.secret })));
        for (const r of responses) expect(r.status).toBe(200);
      }
      await server.tessera.usage.flush();
      const elapsed = Date.now() - started;
      const rowsWritten = writes.mock.calls.reduce((n, [samples]) => n + (samples as UsageSample[]).length, 0);
      // At most one write per flush interval (plus the explicit flushes), each one row per credential.
      expect(writes.mock.calls.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 2);
      expect(writes.mock.calls.length).toBeLessThan(100);
      expect(rowsWritten).toBe(writes.mock.calls.length);
      for (const [samples] of writes.mock.calls) expect((samples as UsageSample[]).map((s) => s.credentialId)).toEqual([key.id]);
    });
  });

  describe('with a long flush interval', () => {
    let server: TestServer;
    let api: Api;
    let op: string;
    let merchantId: string;

    beforeAll(async () => {
      server = await startTestServer({ env: { TESSERA_USAGE_FLUSH_MS: '600000' } });
      api = new Api(server.url);
      op = server.operatorKeys.sandbox;
      merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
    });
    afterAll(() => server.close());

    it('no database write per request: 200 requests write nothing until the flush, which writes once', async () => {
      const key = await createKey(api, op, merchantId, { kind: 'secret' });
      await server.tessera.usage.flush();
      const writes = vi.spyOn(CredentialsRepository.prototype, 'recordUsage');
      for (let i = 0; i < 200; i++) expect((await api.get(`/v1/accounts/${merchantId}`, { key: key.secret })).status).toBe(200);
      expect(writes).not.toHaveBeenCalled();
      const unflushed = await api.get(`/v1/accounts/${merchantId}/keys/${key.id}`, { key: op });
      expect(unflushed.body.lastUsedAt).toBeNull();

      await server.tessera.usage.flush();
      expect(writes).toHaveBeenCalledTimes(1);
      const samples = writes.mock.calls[0]![0] as UsageSample[];
      expect(samples.filter((s) => s.credentialId === key.id)).toHaveLength(1);
      const flushed = await api.get(`/v1/accounts/${merchantId}/keys/${key.id}`, { key: op });
      expect(flushed.body.lastUsedAt).not.toBeNull();
      expect(LOCALHOST).toContain(flushed.body.lastUsedIp);
    });

    it('nothing is lost on shutdown: close flushes what is pending', async () => {
      const other = await startTestServer({ env: { TESSERA_USAGE_FLUSH_MS: '600000' } });
      const otherApi = new Api(other.url);
      const id = await createAccount(otherApi, other.operatorKeys.sandbox, { type: 'merchant', name: 'Shop' });
      const key = await createKey(otherApi, other.operatorKeys.sandbox, id, { kind: 'secret' });
      await otherApi.get(`/v1/accounts/${id}`, { key: key.secret });
      await other.close();
      const db = await openDirectDatabase(other, { readonly: true });
      try {
        const rows = await db.query<{ last_used_at: number | string | null; last_used_ip: string | null }>('SELECT last_used_at, last_used_ip FROM credentials WHERE id = ?', [key.id]);
        expect(rows).toHaveLength(1);
        expect(rows[0]!.last_used_at).not.toBeNull();
        expect(LOCALHOST).toContain(rows[0]!.last_used_ip);
      } finally {
        await db.close();
      }
    });
  });
});
