import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/domain/errors.js';
import { Api } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { closeFuzzAgent, expectWellFormed, fuzzRequest } from '../helpers/fuzz.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// 2,000 cases per run; FUZZ_RUNS=20000 for a longer hunt.
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

// Property-based fuzzing of the management API with a valid operator key:
// whatever the method, path, query, content type and body, the answer is
// never a 5xx, always carries a request id, and errors use the envelope.
describe('fuzzing the management API', () => {
  let server: TestServer;
  let ids: { accounts: string[]; keys: string[] };
  let reached = 0;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    server = await startTestServer();
    const api = new Api(server.url);
    const op = server.operatorKeys.sandbox;
    const partner = await createAccount(api, op, { type: 'partner', name: 'Fuzz partner' });
    const merchant = await createAccount(api, op, { type: 'merchant', name: 'Fuzz merchant', parentId: partner });
    const keys = [];
    for (const body of [{ kind: 'secret' }, { kind: 'restricted', permissions: ['keys.read'] }, { kind: 'publishable' }]) keys.push((await createKey(api, op, merchant, body)).id);
    ids = { accounts: [server.operatorId, partner, merchant], keys };
  });
  afterAll(async () => {
    closeFuzzAgent();
    await server.close();
  });

  const text = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom('', ' ', '..', '.', '%00', '%2F', '%2e%2e', '%ff', '%', '%zz', '\u0000', 'null', 'undefined', '__proto__', 'constructor', 'a'.repeat(300), '😀', 'ß', '\u202e'),
  );
  // Unescaped, but bytes Node's client will still send (no controls, no space, nothing above U+00FF):
  // they reach the server as a malformed or unusual request line.
  const rawText = fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 20 });
  const segment = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('keys', 'roll', 'audit-events', 'open-live', 'accounts', 'v1') },
    { weight: 4, arbitrary: fc.constant('ACCOUNT') },
    { weight: 3, arbitrary: fc.constant('KEY') },
    { weight: 3, arbitrary: text.map((t) => encodeURIComponent(t)) },
    { weight: 1, arbitrary: rawText },
    { weight: 1, arbitrary: fc.stringMatching(/^(acct|key)_[0-9A-Za-z]{0,30}$/) },
  );
  const path = fc
    .oneof(
      // Shapes of the real routes, with real and fake ids.
      fc.constantFrom('/v1/accounts', '/v1/accounts/ACCOUNT', '/v1/accounts/ACCOUNT/keys', '/v1/accounts/ACCOUNT/keys/KEY', '/v1/accounts/ACCOUNT/keys/KEY/roll', '/v1/accounts/ACCOUNT/audit-events', '/v1/accounts/ACCOUNT/open-live'),
      fc.array(segment, { minLength: 0, maxLength: 6 }).map((parts) => `/v1/accounts/${parts.join('/')}`),
      fc.tuple(fc.constantFrom('', '/sandbox', '/live'), fc.array(segment, { maxLength: 4 })).map(([prefix, parts]) => `${prefix}/v1/accounts/ACCOUNT/${parts.join('/')}`),
    )
    .chain((p) => fc.tuple(fc.constant(p), fc.nat(), fc.nat(), fc.constantFrom('', '/', '//')))
    .map(([p, a, k, trailing]) => p.replace(/ACCOUNT/g, () => ids.accounts[a % ids.accounts.length]!).replace(/KEY/g, () => ids.keys[k % ids.keys.length]!) + trailing);

  const queryValue = fc.oneof(text.map(encodeURIComponent), rawText, fc.integer().map(String), fc.constantFrom('true', 'false', '-1', '0', '1e9', '2030-01-01T00:00:00Z', 'abc', ''));
  const query = fc.oneof(
    { weight: 2, arbitrary: fc.constant('') },
    {
      weight: 3,
      arbitrary: fc
        .array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'before', 'from', 'to', 'includeDeleted', 'action', 'keyId', 'actorId', 'kind', '__proto__', 'limit[]'), text.map(encodeURIComponent)), queryValue), { maxLength: 5 })
        .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
    },
    { weight: 1, arbitrary: rawText.map((t) => `?${t}`) },
  );

  const fieldValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('secret', 'restricted', 'publishable', 'client', 'sandbox', 'live', 'keys.read', -1, 0, 1e308, null, true, [], {}));
  const keyLikeBody = fc.record(
    {
      kind: fc.oneof(fc.constantFrom('secret', 'restricted', 'publishable', 'client'), fieldValue),
      environment: fc.oneof(fc.constantFrom('sandbox', 'live'), fieldValue),
      name: fc.oneof(fc.string({ maxLength: 120 }), fieldValue),
      permissions: fc.oneof(fc.array(fc.constantFrom('keys.read', 'keys.create', 'accounts.read', 'keys.verify', 'nope'), { maxLength: 4 }), fieldValue),
      expiresAt: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fieldValue),
      rateLimit: fc.oneof(fc.record({ requests: fc.integer(), windowSeconds: fc.integer() }), fieldValue),
      metadata: fc.oneof(fc.dictionary(fc.string({ maxLength: 45 }), fc.string({ maxLength: 20 }), { maxKeys: 22 }), fieldValue),
      enabled: fc.oneof(fc.boolean(), fieldValue),
      gracePeriodSeconds: fc.oneof(fc.integer({ min: -10, max: 700_000 }), fieldValue),
      type: fc.oneof(fc.constantFrom('partner', 'merchant', 'operator'), fieldValue),
      parentId: fc.oneof(fc.constantFrom('PARENT'), fieldValue),
      extra: fieldValue,
    },
    { requiredKeys: [] },
  );
  // Bodies a route accepts, so that the fuzzer also gets past validation into the services.
  const validBody = fc.oneof(
    fc.record(
      {
        kind: fc.constantFrom('secret', 'publishable'),
        name: fc.string({ minLength: 1, maxLength: 100 }),
        environment: fc.constant('sandbox'),
        metadata: fc.dictionary(fc.string({ maxLength: 40 }), fc.string({ maxLength: 100 }), { maxKeys: 20 }),
        rateLimit: fc.record({ requests: fc.integer({ min: 1, max: 1000 }), windowSeconds: fc.integer({ min: 1, max: 3600 }) }),
      },
      { requiredKeys: ['kind'] },
    ),
    fc.record({ kind: fc.constantFrom('restricted', 'client'), permissions: fc.uniqueArray(fc.constantFrom('keys.read', 'keys.create', 'accounts.read', 'audit_events.read'), { minLength: 1 }) }),
    fc.record({ enabled: fc.boolean(), name: fc.string({ minLength: 1, maxLength: 100 }) }, { requiredKeys: [] }),
    fc.record({ gracePeriodSeconds: fc.integer({ min: 0, max: 604_800 }) }, { requiredKeys: [] }),
    fc.record({ type: fc.constantFrom('partner', 'merchant'), name: fc.string({ minLength: 1, maxLength: 50 }) }),
    fc.record({ type: fc.constant('merchant'), name: fc.string({ minLength: 1, maxLength: 50 }), parentId: fc.constant('PARENT') }),
  );
  const body = fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: validBody.map((b) => JSON.stringify(b)) },
    { weight: 5, arbitrary: keyLikeBody.map((b) => JSON.stringify(b)) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 2 }).map((j) => j.slice(0, Math.max(0, j.length - 1))) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.constantFrom('{"__proto__":{"a":1}}', '{"constructor":{"prototype":{}}}', '{"kind":"secret","kind":"publishable"}', '{', '[]', 'null', '""', '{"kind":"secret"}\u0000', '\ufeff{"kind":"secret"}') },
  );
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    { weight: 3, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'APPLICATION/JSON', 'application/json; charset=latin1', '*/*', '', 'application/', ';', 'application/json;;') },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
  const method = fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS', 'POST', 'PATCH', 'GET');
  const extraHeaders = fc.record(
    { 'idempotency-key': fc.oneof(fc.string({ maxLength: 80 }), fc.uuid()), accept: fc.constantFrom('application/json', 'text/html', '*/*', 'x/y'), 'content-encoding': fc.constantFrom('gzip', 'identity', 'br') },
    { requiredKeys: [] },
  );

  /** Anything at all. */
  const anyRequest = fc.tuple(method, path, query, body, contentType, extraHeaders);
  /** A real route with its own method, a JSON content type and a body near what it accepts: reaches the services. */
  const routedRequest = fc
    .tuple(
      fc.constantFrom(
        ['POST', '/v1/accounts'],
        ['GET', '/v1/accounts'],
        ['GET', '/v1/accounts/SUB'],
        ['POST', '/v1/accounts/SUB/keys'],
        ['GET', '/v1/accounts/SUB/keys'],
        ['GET', '/v1/accounts/SUB/keys/KEY'],
        ['PATCH', '/v1/accounts/SUB/keys/KEY'],
        ['POST', '/v1/accounts/SUB/keys/KEY/roll'],
        ['DELETE', '/v1/accounts/SUB/keys/KEY'],
        ['GET', '/v1/accounts/SUB/audit-events'],
        ['POST', '/v1/accounts/SUB/open-live'],
      ),
      fc.nat(),
      fc.nat(),
      fc.oneof({ weight: 3, arbitrary: fc.constant('') }, query),
      fc.oneof({ weight: 3, arbitrary: validBody.map((b) => JSON.stringify(b)) }, body),
      fc.record({ 'idempotency-key': fc.uuid() }, { requiredKeys: [] }),
    )
    .map(([[m, template], a, k, q, b, extra]) => {
      // Partner and merchant (the operator's own keys are not the operator key's to manage).
      const p = template.replace('SUB', ids.accounts[1 + (a % 2)]!).replace('KEY', ids.keys[k % ids.keys.length]!);
      return [m, p, q, b, 'application/json', extra] as [string, string, string, string | Buffer | undefined, string | undefined, Record<string, string>];
    });

  it(`answers ${NUM_RUNS} random management requests with well-formed, non-5xx responses`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyRequest, routedRequest), async ([m, p, q, b, ct, extra]) => {
        const headers: Record<string, string> = { authorization: `Bearer ${server.operatorKeys.sandbox}`, ...extra };
        if (ct !== undefined) headers['content-type'] = ct;
        const payload = typeof b === 'string' ? b.replace('"PARENT"', JSON.stringify(ids.accounts[1])) : b;
        const response = await fuzzRequest(server.url, m, p + q, headers, m === 'GET' || m === 'HEAD' ? undefined : payload);
        if (response === null) return; // refused by Node's own client: never sent
        reached++;
        if (response.status === 201 && typeof response.body?.id === 'string' && response.body.id.startsWith('key_')) ids.keys.push(response.body.id);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expectWellFormed(response, m, `${m} ${p}${q} ${ct ?? '(no content-type)'} ${typeof payload === 'string' ? payload.slice(0, 200) : payload === undefined ? '' : `<${payload.length} bytes>`}`);
        if (response.status >= 400 && m !== 'HEAD') {
          expect(Object.keys(ERROR_CATALOGUE)).toContain(response.body.error.code);
          expect(response.status).toBe(ERROR_CATALOGUE[response.body.error.code as keyof typeof ERROR_CATALOGUE].status);
        }
      }),
      { numRuns: NUM_RUNS, endOnFailure: true },
    );
    // The fuzzer exercised the API, not just Node's header checks.
    expect(reached).toBeGreaterThan(NUM_RUNS * 0.8);
    // ...and reached past validation too: some requests succeeded, many were refused for many reasons.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(20);
    expect(statuses.get(201) ?? 0).toBeGreaterThan(20);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(4);
  });

  it('left no unhandled error in the log, and the server still answers', async () => {
    const errors = server.logs.filter((line) => /"level":(50|60)/.test(line));
    expect(errors.slice(0, 3)).toEqual([]);
    const api = new Api(server.url);
    expect((await api.get('/healthz')).status).toBe(200);
    expect((await api.get(`/v1/accounts/${ids.accounts[2]}`, { key: server.operatorKeys.sandbox })).status).toBe(200);
  });
});
