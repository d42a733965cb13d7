import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretDigest } from '../../src/domain/digest.js';
import { Api, type ApiResponse, type RequestOptions } from '../helpers/api.js';
import { testDatabaseKind } from '../helpers/database.js';
import { dumpRows, findSecrets, rawFiles } from '../helpers/database-dump.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Anything shaped like a secret Tessera issues, wherever it appears. */
const SECRET_SHAPE = /\btsr_(sk|rk|pk|cc|cs)_(sandbox|live)_[0-9A-Za-z]{39}\b/g;

/** Remembers every answer, so the test can check which ones carried a secret. */
class RecordingApi extends Api {
  readonly responses: Array<{ what: string; response: ApiResponse; issuing: boolean }> = [];
  /** Set around calls whose answer legitimately shows a new secret (create, roll, their replays). */
  issuing = false;

  override async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const response = await super.request<T>(method, path, options);
    this.responses.push({ what: `${method} ${path}`, response, issuing: this.issuing });
    return response;
  }
}

/** Every row of every table, one line per row. */
async function dumpDatabase(server: TestServer): Promise<{ tables: string[]; text: string }> {
  const { tables, rows } = await dumpRows(server.env);
  return { tables, text: rows.map((r) => `${r.table}: ${r.text}`).join('\n') };
}

// SPEC: "a secret exists in clear only in the response that creates it. The
// database holds a digest and a non-secret hint." Checked by looking at
// everything the server keeps: every table, every file, every log line.
describe('secrets at rest', () => {
  let server: TestServer;
  let api: RecordingApi;
  let closed = false;
  /** Every secret any answer ever carried. */
  const secrets = new Set<string>();
  const keyIds: string[] = [];

  function collect(response: ApiResponse): void {
    for (const match of response.text.matchAll(SECRET_SHAPE)) secrets.add(match[0]);
  }

  async function issue(send: () => Promise<ApiResponse>, status = 201): Promise<{ id: string; secret: string }> {
    api.issuing = true;
    try {
      const response = await send();
      expect(response.status, response.text).toBe(status);
      collect(response);
      keyIds.push(response.body.id);
      // Client credentials answer with clientSecret rather than secret.
      return { ...response.body, secret: response.body.secret ?? response.body.clientSecret };
    } finally {
      api.issuing = false;
    }
  }

  beforeAll(async () => {
    server = await startTestServer({ env: { TESSERA_API_KEY_HEADERS: 'x-ozura-api-key' } });
    api = new RecordingApi(server.url);
    secrets.add(server.operatorKeys.sandbox);
    secrets.add(server.operatorKeys.live);
  });
  afterAll(async () => {
    if (!closed) await server.close();
  });

  it('runs a full flow, collecting every secret ever returned', async () => {
    const op = server.operatorKeys.sandbox;
    const opLive = server.operatorKeys.live;
    const created = async (path: string, body: unknown, key: string) => {
      const response = await api.post(path, body, { key });
      expect(response.status, response.text).toBe(201);
      return response.body.id as string;
    };
    const partnerId = await created('/v1/accounts', { type: 'partner', name: 'Platform' }, op);
    const merchantId = await created('/v1/accounts', { type: 'merchant', name: 'Shop', parentId: partnerId }, op);
    const keys = (accountId: string) => `/v1/accounts/${accountId}/keys`;

    // Every kind, in both environments.
    const secret = await issue(() => api.post(keys(merchantId), { kind: 'secret', name: 'server', metadata: { team: 'payments' } }, { key: op }));
    const restricted = await issue(() => api.post(keys(merchantId), { kind: 'restricted', permissions: ['keys.create', 'keys.read', 'accounts.read'] }, { key: op }));
    const publishable = await issue(() => api.post(keys(merchantId), { kind: 'publishable' }, { key: op }));
    const client = await issue(() => api.post(keys(merchantId), { kind: 'client', permissions: ['accounts.read'] }, { key: op }));
    const limited = await issue(() => api.post(keys(merchantId), { kind: 'secret', rateLimit: { requests: 100, windowSeconds: 60 }, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }, { key: op }));
    expect((await api.post(`/v1/accounts/${merchantId}/open-live`, undefined, { key: opLive })).status).toBe(200);
    const live = await issue(() => api.post(keys(merchantId), { kind: 'secret', environment: 'live' }, { key: opLive }));
    const livePublishable = await issue(() => api.post(keys(merchantId), { kind: 'publishable' }, { key: opLive }));

    // A partner's secret key manages its sub-merchant's keys; a restricted key naming keys.create mints for its own account.
    const partnerKey = await issue(() => api.post(keys(partnerId), { kind: 'secret' }, { key: op }));
    const subMerchantId = await created('/v1/accounts', { type: 'merchant', name: 'Sub' }, partnerKey.secret);
    const fromPartner = await issue(() => api.post(keys(subMerchantId), { kind: 'secret' }, { key: partnerKey.secret }));
    const fromRestricted = await issue(() => api.post(keys(merchantId), { kind: 'publishable' }, { key: restricted.secret }));

    // Idempotent creates: the retry replays the first answer (same secret), from storage.
    const idem = { 'idempotency-key': 'create-once-0001' };
    const first = await issue(() => api.post(keys(merchantId), { kind: 'secret', name: 'idem' }, { key: op, headers: idem }));
    const replay = await issue(() => api.post(keys(merchantId), { kind: 'secret', name: 'idem' }, { key: op, headers: idem }));
    expect(replay.secret).toBe(first.secret);
    expect(replay.id).toBe(first.id);
    const idemRoll = { 'idempotency-key': 'roll-once-0001' };
    const rolledOnce = await issue(() => api.post(`${keys(merchantId)}/${limited.id}/roll`, { gracePeriodSeconds: 60 }, { key: op, headers: idemRoll }), 200);
    const rolledReplay = await issue(() => api.post(`${keys(merchantId)}/${limited.id}/roll`, { gracePeriodSeconds: 60 }, { key: op, headers: idemRoll }), 200);
    expect(rolledReplay.secret).toBe(rolledOnce.secret);

    // Use the keys every way a request can carry them.
    const read = (key: string, headers?: Record<string, string>) => api.get(`/v1/accounts/${merchantId}`, headers === undefined ? { key } : { headers });
    expect((await read(secret.secret)).status).toBe(200);
    expect((await read('', { authorization: `Basic ${Buffer.from(`${secret.id}:${secret.secret}`).toString('base64')}` })).status).toBe(200);
    expect((await read('', { 'x-api-key': secret.secret })).status).toBe(200);
    expect((await read('', { 'x-ozura-api-key': live.secret })).status).toBe(200);
    expect((await read(restricted.secret)).status).toBe(200);
    // A client secret is not an API key: it is exchanged for an access token, which is.
    expect((await read(client.secret)).status).toBe(401);
    const exchange = async () =>
      api.request('POST', '/oauth/token', {
        raw: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    const token = (await exchange()).body.access_token as string;
    expect((await read(token)).status).toBe(200);
    expect((await read(rolledOnce.secret)).status).toBe(200);
    expect((await read(limited.secret)).status).toBe(200); // within its grace period
    expect((await api.get('/v1/operations', { key: publishable.secret })).status).toBe(200);
    expect((await api.get('/v1/operations', { key: livePublishable.secret })).status).toBe(200);
    expect((await api.get(`/v1/accounts/${subMerchantId}`, { key: fromPartner.secret })).status).toBe(200);
    expect((await api.get('/v1/operations', { key: fromRestricted.secret })).status).toBe(200);
    expect((await read(publishable.secret)).status).toBe(403);
    // The verify endpoint takes secrets in its body, with and without an Idempotency-Key.
    for (const headers of [undefined, { 'idempotency-key': 'verify-0001' }]) {
      const verified = await api.post('/v1/keys/verify', { credential: secret.secret, operation: 'accounts.read' }, { key: op, ...(headers && { headers }) });
      expect(verified.status, verified.text).toBe(200);
      expect(verified.body.valid).toBe(true);
    }
    expect((await api.post('/v1/keys/verify', { credential: `Bearer ${restricted.secret}`, operation: 'keys.delete' }, { key: op })).body).toMatchObject({ valid: false, code: 'permission_denied' });

    // Roll, disable, enable, delete.
    const rolled = await issue(() => api.post(`${keys(merchantId)}/${secret.id}/roll`, { gracePeriodSeconds: 0 }, { key: op }), 200);
    expect((await read(secret.secret)).status).toBe(401);
    expect((await read(rolled.secret)).status).toBe(200);
    const rolledLive = await issue(() => api.post(`${keys(merchantId)}/${live.id}/roll`, { gracePeriodSeconds: 3600 }, { key: opLive }), 200);
    expect((await read(rolledLive.secret)).status).toBe(200);
    expect((await api.patch(`${keys(merchantId)}/${client.id}`, { enabled: false }, { key: op })).status).toBe(200);
    expect((await read(token)).status).toBe(401);
    expect((await exchange()).status).toBe(401);
    expect((await api.patch(`${keys(merchantId)}/${client.id}`, { enabled: true, name: 'back' }, { key: op })).status).toBe(200);
    expect((await api.delete(`${keys(merchantId)}/${restricted.id}`, { key: op })).status).toBe(200);
    expect((await read(restricted.secret)).status).toBe(401);

    // Mistakes that put a secret where it does not belong: in a path, a query, a wrong field.
    expect((await api.get(`/v1/accounts/${publishable.secret}`, { key: op })).status).toBe(404);
    expect((await api.get(`${keys(merchantId)}/${rolled.secret}`, { key: op })).status).toBe(404);
    expect((await api.get(`/nowhere/${rolled.secret}`, { key: op })).status).toBe(404);
    expect((await api.get(`/v1/accounts/${merchantId}/audit-events?keyId=${rolled.secret}`, { key: op })).status).toBe(200);
    expect((await api.post(keys(merchantId), { kind: 'secret', secret: rolled.secret }, { key: op })).status).toBe(400);
    expect((await api.post('/v1/accounts', { type: 'merchant', name: 'x', parentId: rolled.secret }, { key: op })).status).toBe(400);
    expect((await api.request('POST', keys(merchantId), { key: op, raw: `{"kind": ${rolled.secret}}`, headers: { 'content-type': 'application/json' } })).status).toBe(400);
    // One character changed (never to itself: a key ending in x must not stay intact).
    expect((await read(`${rolled.secret.slice(0, -1)}${rolled.secret.endsWith('x') ? 'y' : 'x'}`)).status).toBe(401);

    // Let the batched last-used writes land, so that they are part of what is scanned.
    const deadline = Date.now() + 5000;
    while ((await api.get(`${keys(merchantId)}/${client.id}`, { key: op })).body.lastUsedAt === null) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 50));
    }

    expect(secrets.size).toBe(16);
    for (const s of secrets) expect(s).toMatch(/^tsr_(sk|rk|pk|cc)_(sandbox|live)_[0-9A-Za-z]{39}$/);
  });

  it('no answer carried a secret except the one that issued it', () => {
    expect(api.responses.length).toBeGreaterThan(40);
    for (const { what, response, issuing } of api.responses) {
      const shown = [...response.text.matchAll(SECRET_SHAPE)].map((m) => m[0]);
      if (issuing) expect(shown.length, `${what} answered ${response.text}`).toBeLessThanOrEqual(1);
      else expect(shown, `${what} answered ${response.status} ${response.text}`).toEqual([]);
      if (!issuing) expect(findSecrets(response.text, secrets), `${what} echoed part of a secret`).toEqual([]);
      // Nor in a header (WWW-Authenticate carries messages).
      const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
      expect(findSecrets(headers, secrets), `${what} headers`).toEqual([]);
    }
  });

  it('no log line holds a secret or its random part', () => {
    const logs = server.logs.join('\n');
    // The scan can fail: it finds what the logs do hold, the key ids of the requests.
    expect(logs).toContain(keyIds[0]);
    expect(logs.length).toBeGreaterThan(1000);
    expect(findSecrets(logs, secrets)).toEqual([]);
  });

  it('no file in the data folder holds a secret, while the server runs', () => {
    const files = rawFiles(server.env.TESSERA_DATA_DIR!);
    expect(files.size).toBeGreaterThan(0);
    if (testDatabaseKind() === 'sqlite') {
      // The scan reads what is there: the key ids are in the database files (main file or WAL).
      const all = [...files.values()].join('\n');
      for (const id of keyIds) expect(all, id).toContain(id);
    }
    for (const [file, text] of files) expect(findSecrets(text, secrets), file).toEqual([]);
  });

  it('no row of any table holds a secret or its random part; the digests are there', async () => {
    if (testDatabaseKind() === 'sqlite') {
      await server.close();
      closed = true;
      // After a clean close the WAL is folded into the main file: scan the bytes again.
      for (const [file, text] of rawFiles(server.env.TESSERA_DATA_DIR!)) expect(findSecrets(text, secrets), file).toEqual([]);
    }
    const { tables, text } = await dumpDatabase(server);
    for (const table of ['accounts', 'credentials', 'credential_secrets', 'audit_events', 'credential_changes', 'idempotency_records']) expect(tables).toContain(table);
    // The dump is complete enough to catch a stored secret: every key id and every current digest is in it.
    for (const id of keyIds) expect(text, id).toContain(id);
    expect(text).toContain(secretDigest(server.operatorKeys.sandbox));
    let digestsFound = 0;
    for (const s of secrets) if (text.includes(secretDigest(s))) digestsFound++;
    expect(digestsFound).toBe(secrets.size);
    // Idempotent replays come from storage, so the answers are stored: sealed, not in clear.
    expect(text).toMatch(/idempotency_records/);
    expect(findSecrets(text, secrets)).toEqual([]);
  });
});
