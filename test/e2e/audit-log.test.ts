import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey, type IssuedKey } from '../helpers/fixtures.js';
import { expectError, openDirectDatabase } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface AuditEventView {
  id: string;
  object: string;
  accountId: string;
  environment: string;
  action: string;
  actor: { type: string; id: string };
  credentialId: string | null;
  target: { type: string; id: string };
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

const LOCALHOST = ['127.0.0.1', '::ffff:127.0.0.1', '::1'];

// SPEC: "audit log: who did what, when, from where, with which credential; append-only."
describe('audit log', () => {
  let server: TestServer;
  let api: Api;
  let clock = Date.parse('2031-03-01T09:00:00Z');
  let op: string;
  let opKeyId: string;
  let liveOpKeyId: string;
  let partnerId: string;
  let partnerKey: IssuedKey;
  let merchantId: string;
  let base: string;
  /** What each action was expected to record, in order. */
  const expected: { action: string; actorId: string; targetType: string; targetId: string; environment: string; requestId: string; at: number }[] = [];
  let managed: IssuedKey;
  let rolledSecret: string;

  /** Runs one management call at its own instant and remembers what the log must say about it. */
  async function act(response: Promise<ApiResponse>, expectation: { action: string; actorId: string; targetType?: string; targetId?: string; environment?: string }, status = 200): Promise<ApiResponse> {
    const at = clock;
    const r = await response;
    expect(r.status, r.text).toBe(status);
    const requestId = r.headers.get('request-id');
    expect(requestId).toBeTruthy();
    expected.push({
      action: expectation.action,
      actorId: expectation.actorId,
      targetType: expectation.targetType ?? 'key',
      targetId: expectation.targetId ?? (r.body.id as string),
      environment: expectation.environment ?? 'sandbox',
      requestId: requestId!,
      at,
    });
    clock += 1000;
    return r;
  }

  async function events(query: string, key = op): Promise<AuditEventView[]> {
    const response = await api.get(`${base}/audit-events${query}`, { key });
    expect(response.status, response.text).toBe(200);
    expect(response.body.object).toBe('list');
    return response.body.data as AuditEventView[];
  }

  beforeAll(async () => {
    server = await startTestServer({ now: () => clock });
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
    opKeyId = server.tessera.bootstrap.issued!.sandbox.id;
    liveOpKeyId = server.tessera.bootstrap.issued!.live.id;
    partnerId = await createAccount(api, op, { type: 'partner', name: 'Platform' });
    partnerKey = await createKey(api, op, partnerId, { kind: 'secret' });
    clock += 1000;

    const account = await act(api.post('/v1/accounts', { type: 'merchant', name: 'Audited shop' }, { key: partnerKey.secret }), { action: 'account.created', actorId: partnerKey.id, targetType: 'account' }, 201);
    merchantId = account.body.id;
    base = `/v1/accounts/${merchantId}`;
    const created = await act(api.post(`${base}/keys`, { kind: 'secret', name: 'managed' }, { key: op }), { action: 'key.created', actorId: opKeyId }, 201);
    managed = { id: created.body.id, secret: created.body.secret };
    await act(api.patch(`${base}/keys/${managed.id}`, { name: 'renamed' }, { key: partnerKey.secret }), { action: 'key.updated', actorId: partnerKey.id });
    await act(api.patch(`${base}/keys/${managed.id}`, { enabled: false }, { key: op }), { action: 'key.disabled', actorId: opKeyId });
    await act(api.patch(`${base}/keys/${managed.id}`, { enabled: true }, { key: op }), { action: 'key.enabled', actorId: opKeyId });
    const rolled = await act(api.post(`${base}/keys/${managed.id}/roll`, { gracePeriodSeconds: 60 }, { key: partnerKey.secret }), { action: 'key.rolled', actorId: partnerKey.id });
    rolledSecret = rolled.body.secret;
    await act(api.delete(`${base}/keys/${managed.id}`, { key: op }), { action: 'key.deleted', actorId: opKeyId });
    await act(api.post(`${base}/open-live`, undefined, { key: server.operatorKeys.live }), { action: 'account.live_opened', actorId: liveOpKeyId, targetType: 'account', environment: 'live' });
  });
  afterAll(() => server.close());

  it('every management action writes one event: actor, credential, action, target, environment, ip, request id, time', async () => {
    const sandbox = await events('?limit=200');
    const live = await events('?limit=200', server.operatorKeys.live);
    const all = [...sandbox, ...live];
    expect(all).toHaveLength(expected.length);
    for (const want of expected) {
      const matching = all.filter((e) => e.requestId === want.requestId);
      expect(matching, want.action).toHaveLength(1);
      const event = matching[0]!;
      expect(event.id).toMatch(/^aud_/);
      expect(event.object).toBe('audit_event');
      expect(event.accountId).toBe(merchantId);
      expect(event.action).toBe(want.action);
      expect(event.actor).toEqual({ type: 'credential', id: want.actorId });
      expect(event.credentialId).toBe(want.actorId);
      expect(event.target).toEqual({ type: want.targetType, id: want.targetId });
      expect(event.environment).toBe(want.environment);
      expect(LOCALHOST).toContain(event.ip);
      expect(event.createdAt).toBe(new Date(want.at).toISOString());
    }
    // Newest first.
    expect(sandbox.map((e) => e.action)).toEqual(expected.filter((e) => e.environment === 'sandbox').map((e) => e.action).reverse());
  });

  it('details say what changed, and never hold a secret', async () => {
    const all = await events('?limit=200');
    const byAction = new Map(all.map((e) => [e.action, e]));
    expect(byAction.get('key.created')!.details).toMatchObject({ kind: 'secret', name: 'managed', permissions: [] });
    expect(byAction.get('key.updated')!.details).toEqual({ changes: { name: 'renamed' } });
    expect(byAction.get('key.disabled')!.details).toEqual({ changes: { enabled: false } });
    expect(byAction.get('key.rolled')!.details).toMatchObject({ gracePeriodSeconds: 60 });
    expect(byAction.get('account.created')!.details).toMatchObject({ type: 'merchant', name: 'Audited shop', parentId: partnerId });
    const text = JSON.stringify(all);
    for (const secret of [managed.secret, rolledSecret, partnerKey.secret, op]) expect(text).not.toContain(secret.slice(15, -4));
  });

  it('a failed management call writes nothing', async () => {
    const before = (await events('?limit=200')).length;
    await api.patch(`${base}/keys/${managed.id}`, { enabled: true }, { key: op }); // 409: deleted
    await api.patch(`${base}/keys/${managed.id}`, { permissions: ['keys.read'] }, { key: op }); // 400
    await api.post(`${base}/keys`, { kind: 'restricted', permissions: ['nope'] }, { key: op }); // 400
    expect((await events('?limit=200')).length).toBe(before);
  });

  describe('filters', () => {
    it('action', async () => {
      const disabled = await events('?action=key.disabled');
      expect(disabled).toHaveLength(1);
      expect(disabled[0]!.requestId).toBe(expected.find((e) => e.action === 'key.disabled')!.requestId);
      expect(await events('?action=key.exploded')).toEqual([]);
    });

    it('actorId', async () => {
      const byPartner = await events(`?actorId=${partnerKey.id}`);
      expect(byPartner.map((e) => e.action).sort()).toEqual(['account.created', 'key.rolled', 'key.updated']);
      const byOperator = await events(`?actorId=${opKeyId}`);
      expect(byOperator.map((e) => e.action).sort()).toEqual(['key.created', 'key.deleted', 'key.disabled', 'key.enabled']);
    });

    it('keyId: events about the key, or made with it', async () => {
      const about = await events(`?keyId=${managed.id}`);
      expect(about.map((e) => e.action).sort()).toEqual(['key.created', 'key.deleted', 'key.disabled', 'key.enabled', 'key.rolled', 'key.updated']);
      const madeWith = await events(`?keyId=${partnerKey.id}`);
      expect(madeWith.map((e) => e.action).sort()).toEqual(['account.created', 'key.rolled', 'key.updated']);
      expect(await events('?keyId=key_unknown0000000000')).toEqual([]);
    });

    it('from (inclusive) and to (exclusive)', async () => {
      const sandboxExpected = expected.filter((e) => e.environment === 'sandbox');
      const from = sandboxExpected[2]!.at;
      const to = sandboxExpected[5]!.at;
      const window = await events(`?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`);
      expect(window.map((e) => e.requestId)).toEqual(sandboxExpected.slice(2, 5).map((e) => e.requestId).reverse());
      expect(await events(`?from=${new Date(clock + 60_000).toISOString()}`)).toEqual([]);
      expect((await events(`?to=${new Date(sandboxExpected[1]!.at).toISOString()}`)).map((e) => e.action)).toEqual(['account.created']);
    });

    it('filters combine', async () => {
      const combined = await events(`?actorId=${opKeyId}&keyId=${managed.id}&action=key.enabled`);
      expect(combined).toHaveLength(1);
      expect(await events(`?actorId=${partnerKey.id}&action=key.enabled`)).toEqual([]);
    });

    it('bad filter values: 400 naming the parameter', async () => {
      expectError(await api.get(`${base}/audit-events?from=yesterday`, { key: op }), 400, 'invalid_field', 'from');
      expectError(await api.get(`${base}/audit-events?limit=0`, { key: op }), 400, 'invalid_field', 'limit');
      expectError(await api.get(`${base}/audit-events?limit=201`, { key: op }), 400, 'invalid_field', 'limit');
      expectError(await api.get(`${base}/audit-events?color=red`, { key: op }), 400, 'unknown_field', 'color');
    });
  });

  describe('pagination', () => {
    it('limit + nextCursor returns every event exactly once, in order, even when many share one instant', async () => {
      // 23 events in the same millisecond: the cursor must break ties by id.
      const burst = await createKey(api, op, merchantId, { kind: 'secret' });
      for (let i = 0; i < 22; i++) expect((await api.patch(`${base}/keys/${burst.id}`, { name: `n${i}` }, { key: op })).status).toBe(200);
      clock += 1000;

      const everything = await events('?limit=200');
      expect(everything.length).toBeGreaterThan(28);
      for (const limit of [1, 5, 7, 200]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const response: ApiResponse = await api.get(`${base}/audit-events?limit=${limit}${cursor === null ? '' : `&before=${encodeURIComponent(cursor)}`}`, { key: op });
          expect(response.status, response.text).toBe(200);
          expect(response.body.data.length).toBeLessThanOrEqual(limit);
          seen.push(...response.body.data.map((e: AuditEventView) => e.id));
          cursor = response.body.nextCursor;
          if (cursor !== null) expect(response.body.data.length).toBe(limit);
          pages++;
        } while (cursor !== null && pages < 100);
        expect(new Set(seen).size, `limit ${limit}`).toBe(seen.length);
        expect(seen, `limit ${limit}`).toEqual(everything.map((e) => e.id));
      }
    });

    it('pagination keeps the filters', async () => {
      const all = await events(`?actorId=${opKeyId}&limit=200`);
      const first = await api.get(`${base}/audit-events?actorId=${opKeyId}&limit=3`, { key: op });
      const second = await api.get(`${base}/audit-events?actorId=${opKeyId}&limit=3&before=${first.body.nextCursor}`, { key: op });
      expect([...first.body.data, ...second.body.data].map((e: AuditEventView) => e.id)).toEqual(all.slice(0, 6).map((e) => e.id));
    });

    it('a bad cursor: 400 naming before', async () => {
      for (const before of ['garbage', 'not a cursor!', Buffer.from('no-colon-here').toString('base64url'), Buffer.from('soon:aud_x').toString('base64url')]) {
        const response = await api.get(`${base}/audit-events?before=${encodeURIComponent(before)}`, { key: op });
        expectError(response, 400, 'invalid_field', 'before');
        expect(response.body.error.message).toContain('before');
      }
    });
  });

  it('is append-only in the database: UPDATE and DELETE on audit_events fail', async () => {
    const db = await openDirectDatabase(server, { readonly: false });
    try {
      const [{ n: before }] = (await db.query<{ n: number | string }>('SELECT count(*) AS n FROM audit_events')) as [{ n: number | string }];
      expect(Number(before)).toBeGreaterThan(0);
      await expect(db.execute("UPDATE audit_events SET action = 'key.nothing' WHERE account_id = ?", [merchantId])).rejects.toThrow(/append-only/);
      await expect(db.execute('UPDATE audit_events SET ip = NULL')).rejects.toThrow(/append-only/);
      await expect(db.execute('DELETE FROM audit_events WHERE account_id = ?', [merchantId])).rejects.toThrow(/append-only/);
      await expect(db.execute('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
      const [{ n: after }] = (await db.query<{ n: number | string }>('SELECT count(*) AS n FROM audit_events')) as [{ n: number | string }];
      expect(Number(after)).toBe(Number(before));
      const actions = await db.query<{ action: string }>("SELECT action FROM audit_events WHERE action = 'key.nothing'");
      expect(actions).toEqual([]);
    } finally {
      await db.close();
    }
    expect((await events('?action=key.disabled')).length).toBe(1);
  });
});
