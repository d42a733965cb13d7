import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey, openLive } from '../helpers/fixtures.js';
import { expectError, openDirectDatabase } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// SPEC: "`Idempotency-Key` on POSTs: a retried create returns the first answer, not a second key."
describe('idempotency', () => {
  let server: TestServer;
  let api: Api;
  let op: string;
  let partnerId: string;
  let partnerSecret: string;
  let merchantId: string;
  let keysPath: string;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
    partnerId = await createAccount(api, op, { type: 'partner', name: 'Platform' });
    partnerSecret = (await createKey(api, op, partnerId, { kind: 'secret' })).secret;
    merchantId = await createAccount(api, partnerSecret, { type: 'merchant', name: 'Shop' });
    keysPath = `/v1/accounts/${merchantId}/keys`;
  });
  afterAll(() => server.close());

  const create = (body: unknown, idempotencyKey: string, key = op, path = keysPath) => api.post(path, body, { key, headers: { 'idempotency-key': idempotencyKey } });
  const keyIds = async (path = keysPath) => ((await api.get(`${path}?includeDeleted=true`, { key: op })).body.data as { id: string }[]).map((k) => k.id);

  it('the same key and body twice: the first answer again, replayed, and only one key exists', async () => {
    const before = await keyIds();
    const idem = randomUUID();
    const body = { kind: 'secret', name: 'retried' };
    const first = await create(body, idem);
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const second = await create(body, idem);
    expect(second.status, second.text).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.text).toBe(first.text);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.secret).toBe(first.body.secret);
    expect(second.headers.get('content-type')).toMatch(/^application\/json/);

    const after = await keyIds();
    expect(after.length).toBe(before.length + 1);
    expect(after).toContain(first.body.id);
    // The replayed secret is the one that works.
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: second.body.secret })).status).toBe(200);
    // A third retry, too.
    expect((await create(body, idem)).body.id).toBe(first.body.id);
  });

  it('the same key with a different body or path: 409 idempotency_key_reused, nothing created', async () => {
    const idem = randomUUID();
    expect((await create({ kind: 'secret', name: 'one' }, idem)).status).toBe(201);
    const before = await keyIds();
    expectError(await create({ kind: 'secret', name: 'two' }, idem), 409, 'idempotency_key_reused', 'Idempotency-Key');
    expectError(await create({ kind: 'publishable', name: 'one' }, idem), 409, 'idempotency_key_reused', 'Idempotency-Key');
    const otherMerchant = await createAccount(api, partnerSecret, { type: 'merchant', name: 'Other' });
    expectError(await create({ kind: 'secret', name: 'one' }, idem, op, `/v1/accounts/${otherMerchant}/keys`), 409, 'idempotency_key_reused', 'Idempotency-Key');
    expect(await keyIds()).toEqual(before);
    expect(await keyIds(`/v1/accounts/${otherMerchant}/keys`)).toEqual([]);
  });

  it('concurrent identical requests: exactly one key; every success carries its id', async () => {
    const before = await keyIds();
    const idem = randomUUID();
    const body = { kind: 'restricted', permissions: ['accounts.read'], name: 'raced' };
    const responses: ApiResponse[] = await Promise.all(Array.from({ length: 10 }, () => create(body, idem)));
    const ok = responses.filter((r) => r.status === 201);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of responses) {
      if (r.status !== 201) expectError(r, 409, 'idempotency_request_in_progress', 'Idempotency-Key');
    }
    const ids = new Set(ok.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(new Set(ok.map((r) => r.body.secret)).size).toBe(1);
    expect(ok.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);

    const after = await keyIds();
    expect(after.length).toBe(before.length + 1);
    const [id] = ids;
    expect(after).toContain(id);
    // Once it settled, a retry gets the same answer.
    const retry = await create(body, idem);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('the stored response does not hold the secret in clear', async () => {
    const idem = `db-check-${randomUUID()}`;
    const created = await create({ kind: 'secret', name: 'sealed' }, idem);
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    const randomPart = secret.slice('tsr_sk_sandbox_'.length);
    const db = await openDirectDatabase(server, { readonly: true });
    try {
      const rows = await db.query('SELECT * FROM idempotency_records');
      expect(rows.length).toBeGreaterThan(0);
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(randomPart.slice(0, 16));
      expect(dump).not.toContain(randomPart.slice(-16));
      expect(dump).not.toContain(Buffer.from(secret).toString('base64'));
      // Sealed, not merely unlisted: the response body is not readable at all.
      expect(dump).not.toContain(created.body.id);
      expect(dump).not.toContain(idem);
      const row = rows.find((r) => r.state === 'done' && Number(r.response_status) === 201);
      expect(row).toBeDefined();
    } finally {
      await db.close();
    }
    // And still replayable, so the server can open what it sealed.
    expect((await create({ kind: 'secret', name: 'sealed' }, idem)).body.secret).toBe(secret);
  });

  it('scoped per caller: another account using the same Idempotency-Key value gets its own result', async () => {
    const idem = randomUUID();
    const body = { kind: 'secret', name: 'scoped' };
    const byOperator = await create(body, idem, op);
    expect(byOperator.status, byOperator.text).toBe(201);
    // Same path, same body, same Idempotency-Key, another caller: a fresh key, never the operator's secret.
    const byPartner = await create(body, idem, partnerSecret);
    expect(byPartner.status, byPartner.text).toBe(201);
    expect(byPartner.headers.get('idempotent-replayed')).toBeNull();
    expect(byPartner.body.id).not.toBe(byOperator.body.id);
    expect(byPartner.body.secret).not.toBe(byOperator.body.secret);
    // Each caller's retry replays its own answer.
    expect((await create(body, idem, op)).body.id).toBe(byOperator.body.id);
    expect((await create(body, idem, partnerSecret)).body.id).toBe(byPartner.body.id);
    // And another caller may use the value for a different request without a 409.
    const otherPartner = await createAccount(api, op, { type: 'partner', name: 'Other platform' });
    const otherSecret = (await createKey(api, op, otherPartner, { kind: 'secret' })).secret;
    const otherMerchant = await createAccount(api, otherSecret, { type: 'merchant', name: 'Other shop' });
    const elsewhere = await create({ kind: 'publishable' }, idem, otherSecret, `/v1/accounts/${otherMerchant}/keys`);
    expect(elsewhere.status, elsewhere.text).toBe(201);
    expect(elsewhere.body.accountId).toBe(otherMerchant);
  });

  it('scoped per environment too: the live operator key with the same value gets its own result', async () => {
    await openLive(api, server.operatorKeys.live, merchantId);
    const idem = randomUUID();
    const sandbox = await create({ kind: 'secret' }, idem, op);
    const live = await create({ kind: 'secret' }, idem, server.operatorKeys.live);
    expect(sandbox.status).toBe(201);
    expect(live.status, live.text).toBe(201);
    expect(live.body.environment).toBe('live');
    expect(live.body.id).not.toBe(sandbox.body.id);
  });

  it('works on other POSTs: a retried account creation creates one account', async () => {
    const idem = randomUUID();
    const first = await api.post('/v1/accounts', { type: 'merchant', name: 'once' }, { key: partnerSecret, headers: { 'idempotency-key': idem } });
    const second = await api.post('/v1/accounts', { type: 'merchant', name: 'once' }, { key: partnerSecret, headers: { 'idempotency-key': idem } });
    expect(first.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const named = ((await api.get('/v1/accounts', { key: partnerSecret })).body.data as { name: string }[]).filter((a) => a.name === 'once');
    expect(named).toHaveLength(1);
  });

  it('an over-long Idempotency-Key: 400 naming the header', async () => {
    expectError(await create({ kind: 'secret' }, 'x'.repeat(256)), 400, 'invalid_header', 'Idempotency-Key');
  });
});
