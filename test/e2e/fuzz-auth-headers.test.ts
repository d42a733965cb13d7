import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/domain/key-format.js';
import { Api } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { closeFuzzAgent, expectWellFormed, fuzzRequest } from '../helpers/fuzz.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// 2,000 cases per run; FUZZ_RUNS=20000 for a longer hunt.
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Node's client sends header values as latin1: carry any Unicode as its UTF-8 bytes, as a real client would. */
function asHeaderBytes(value: string): string {
  return /[^\u0000-\u00ff]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
}

interface Presented {
  headers: Record<string, string | string[]>;
  /** Whether some header carries an active key exactly as issued (so a 2xx is possible). */
  carriesValidKey: boolean;
  describe: string;
}

// Property-based fuzzing of how a request presents its credential: random
// Authorization schemes and values, Basic garbage, near-misses of real keys,
// Unicode, huge values, X-API-Key and the operator's extra header. Never a
// 5xx, always a request id and the envelope, never a secret echoed, and
// nothing but an exact, active key ever gets in.
describe('fuzzing the credential headers', () => {
  let server: TestServer;
  let merchantId: string;
  const active: Array<{ id: string; secret: string; kind: string }> = [];
  const dead: Array<{ id: string; secret: string }> = [];
  let reached = 0;
  const outcomes = new Map<string, number>();

  beforeAll(async () => {
    server = await startTestServer({ env: { TESSERA_API_KEY_HEADERS: 'x-ozura-api-key' } });
    const api = new Api(server.url);
    const op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Fuzzed' });
    for (const body of [{ kind: 'secret' }, { kind: 'restricted', permissions: ['accounts.read'] }, { kind: 'publishable' }]) {
      const issued = await createKey(api, op, merchantId, body);
      active.push({ id: issued.id, secret: issued.secret, kind: body.kind });
    }
    const disabled = await createKey(api, op, merchantId, { kind: 'secret' });
    expect((await api.patch(`/v1/accounts/${merchantId}/keys/${disabled.id}`, { enabled: false }, { key: op })).status).toBe(200);
    const deleted = await createKey(api, op, merchantId, { kind: 'secret' });
    expect((await api.delete(`/v1/accounts/${merchantId}/keys/${deleted.id}`, { key: op })).status).toBe(200);
    dead.push(disabled, deleted);
  });
  afterAll(async () => {
    closeFuzzAgent();
    await server.close();
  });

  const allSecrets = () => [...active.map((k) => k.secret), ...dead.map((k) => k.secret), server.operatorKeys.sandbox, server.operatorKeys.live];

  // --- credential values -------------------------------------------------
  const realKey = fc.nat().map((i) => [...active, ...dead][i % (active.length + dead.length)]!);
  const anyChar = fc.oneof(fc.constantFrom(...BASE62), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }), fc.constantFrom('_', '-', ' ', 'а', 'ο', '\u200b', 'ß', '=', '%', ':'));
  /** A near-miss of a real key: never equal to it once trimmed. */
  const nearMiss = fc
    .tuple(realKey, fc.nat(), anyChar, fc.integer({ min: 0, max: 9 }))
    .map(([key, n, c, how]) => {
      const s = key.secret;
      const i = n % s.length;
      switch (how) {
        case 0:
          return s.slice(0, i) + c + s.slice(i + 1); // substitute
        case 1:
          return s.slice(0, i) + s.slice(i + 1); // delete
        case 2:
          return s.slice(0, i) + c + s.slice(i); // insert
        case 3:
          return i + 1 < s.length ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : `${s}x`; // transpose
        case 4:
          return s.slice(0, Math.max(1, i)); // truncate
        case 5:
          return s.replace(/_(sk|rk|pk)_/, (m) => (m === '_sk_' ? '_rk_' : '_sk_')); // another kind
        case 6:
          return s.includes('_sandbox_') ? s.replace('_sandbox_', '_live_') : s.replace('_live_', '_sandbox_'); // other environment
        case 7:
          return s.replace(/^tsr/, ['TSR', 'tsx', 'ansa', ''][n % 4]!); // other brand
        case 8:
          return s.slice(0, i) + (s[i] === s[i]!.toUpperCase() ? s[i]!.toLowerCase() : s[i]!.toUpperCase()) + s.slice(i + 1); // case
        default:
          return `${s}${c === ' ' ? 'x' : c}${s}`; // doubled
      }
    })
    .filter((v) => !allSecrets().includes(v.trim()));
  /** Right format and checksum, never issued here. */
  const forged = fc.tuple(fc.constantFrom('secret', 'restricted', 'publishable', 'client', 'client_secret' as const), fc.constantFrom('sandbox', 'live' as const)).map(([kind, env]) => generateSecret('tsr', kind, env));
  const garbage = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ minLength: 500, maxLength: 9000 }),
    fc.constantFrom('', ' ', '\t', 'null', 'undefined', 'Bearer', 'tsr_', 'tsr_sk_live_', 'tsr_sk_sandbox_' + 'A'.repeat(39), '😀'.repeat(40), '\u202eyek'),
  );
  const credential = fc.oneof(
    { weight: 5, arbitrary: nearMiss },
    { weight: 2, arbitrary: forged },
    { weight: 3, arbitrary: garbage },
    { weight: 2, arbitrary: fc.tuple(realKey, fc.constantFrom('', ' ', '  ', '\t')).map(([k, pad]) => `${pad}${k.secret}${pad}`) },
  );

  // --- what may get in ----------------------------------------------------
  // One-directional model of SPEC's accepted forms: a key exactly as issued
  // (surrounding whitespace aside), as Bearer, as the Basic password (with its
  // own key id or no user), or alone in X-API-Key / a configured header. The
  // server may refuse more (precedence, permissions), never admit more.
  const isActive = (secret: string) => active.some((k) => k.secret === secret);
  const admitsPlain = (value: string) => isActive(value.trim());
  function admitsAuthorization(value: string): boolean {
    const space = value.indexOf(' ');
    if (space === -1) return false;
    const scheme = value.slice(0, space).toLowerCase();
    const token = value.slice(space + 1).trim();
    if (scheme === 'bearer') return isActive(token);
    if (scheme !== 'basic') return false;
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return false;
    const user = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    return isActive(secret) && (user === '' || active.find((k) => k.secret === secret)!.id === user);
  }

  // --- headers -------------------------------------------------------------
  const scheme = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('Bearer', 'bearer', 'BEARER') },
    { weight: 2, arbitrary: fc.constantFrom('Basic', 'basic', 'Token', 'Digest', 'ApiKey', 'Bearer:', 'Bearer,', 'Beare', 'Bearerx', 'OAuth', '') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const separator = fc.constantFrom(' ', ' ', ' ', '  ', '\t', '', ' \t ');
  const bearer = fc.tuple(scheme, separator, credential).map(([s, sep, c]) => `${s}${sep}${c}`);
  const basicUser = fc.oneof(
    fc.nat().map((i) => active[i % active.length]!.id),
    fc.constantFrom('', 'key_nope', 'admin'),
    fc.string({ maxLength: 30 }),
  );
  const basic = fc.oneof(
    fc.tuple(fc.constantFrom('Basic', 'basic', 'BASIC'), basicUser, credential).map(([s, user, c]) => `${s} ${Buffer.from(`${user}:${c}`).toString('base64')}`),
    fc.uint8Array({ maxLength: 120 }).map((bytes) => `Basic ${Buffer.from(bytes).toString('base64')}`),
    fc.string({ maxLength: 80 }).map((s) => `Basic ${s}`),
    credential.map((c) => `Basic ${Buffer.from(c).toString('base64')}`), // no colon
  );
  const headerRecord = fc.record(
    {
      authorization: fc.oneof(bearer, basic),
      'x-api-key': credential,
      'x-ozura-api-key': credential,
      duplicated: fc.tuple(credential, credential),
    },
    { requiredKeys: [] },
  );
  // fc.record rarely leaves every key out: no credential at all gets its own share.
  const presented: fc.Arbitrary<Presented> = fc
    .oneof({ weight: 19, arbitrary: headerRecord }, { weight: 1, arbitrary: fc.constant({}) })
    .map((record) => {
      const headers: Record<string, string | string[]> = {};
      let carriesValidKey = false;
      for (const [name, value] of Object.entries(record)) {
        if (Array.isArray(value)) {
          // X-API-Key twice: Node joins the values, so the result is never one key.
          headers['x-api-key'] = value.map(asHeaderBytes);
          continue;
        }
        headers[name] = asHeaderBytes(value);
        carriesValidKey ||= name === 'authorization' ? admitsAuthorization(headers[name]) : admitsPlain(headers[name]);
      }
      return { headers, carriesValidKey, describe: JSON.stringify(headers).slice(0, 400) };
    });

  const target = fc.constantFrom(
    { method: 'GET', path: () => `/v1/accounts/${merchantId}` },
    { method: 'GET', path: () => '/v1/operations' },
    { method: 'GET', path: () => `/v1/accounts/${merchantId}/keys` },
    { method: 'GET', path: () => `/sandbox/v1/accounts/${merchantId}` },
    { method: 'GET', path: () => `/live/v1/accounts/${merchantId}` },
    { method: 'POST', path: () => '/v1/accounts' },
  );

  it(`answers ${NUM_RUNS} random credential headers safely`, async () => {
    await fc.assert(
      fc.asyncProperty(target, presented, async (t, p) => {
        const path = t.path();
        const body = t.method === 'POST' ? JSON.stringify({ type: 'merchant', name: 'fuzzed' }) : undefined;
        const headers = { ...p.headers, ...(body !== undefined && { 'content-type': 'application/json' }) };
        const response = await fuzzRequest(server.url, t.method, path, headers, body);
        if (response === null) return; // Node's client refused to send it
        reached++;
        const what = `${t.method} ${path} with ${p.describe}`;
        expectWellFormed(response, t.method, what);
        const code = response.status >= 400 ? String(response.body.error.code) : String(response.status);
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
        if (response.status === 401) expect(response.headers['www-authenticate'], what).toMatch(/^Bearer realm="tessera"/);
        // Nothing but an exact, active key gets in.
        if (!p.carriesValidKey) {
          expect(response.status, `${what} was let in: ${response.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
          if (response.status === 403) expect(response.body.error.code, what).toBe('environment_mismatch');
          else expect([400, 401], `${what}: ${response.text.slice(0, 200)}`).toContain(response.status);
        }
        // Never a secret echoed, whole or its random part.
        const everything = `${response.text}\n${JSON.stringify(response.headers)}`;
        for (const secret of allSecrets()) expect(everything.includes(secret.slice(-39, -6)), `${what} echoed a secret`).toBe(false);
      }),
      { numRuns: NUM_RUNS, endOnFailure: true },
    );
    expect(reached).toBeGreaterThan(NUM_RUNS * 0.8);
    // The fuzzer reached every stage of the pipeline.
    for (const outcome of ['200', 'missing_credential', 'malformed_credential', 'invalid_checksum', 'unknown_credential', 'permission_denied', 'environment_mismatch']) {
      expect(outcomes.get(outcome) ?? 0, `${outcome} in ${JSON.stringify([...outcomes])}`).toBeGreaterThan(0);
    }
  });

  it('answers random credentials sent to POST /v1/keys/verify: valid only for an exact active key', async () => {
    const wrapped = fc.oneof(credential, bearer, basic);
    await fc.assert(
      fc.asyncProperty(wrapped, fc.constantFrom(undefined, 'accounts.read', 'operations.list', 'keys.create', 'nope'), async (c, operation) => {
        const body = JSON.stringify({ credential: c, ...(operation !== undefined && { operation }) });
        const response = await fuzzRequest(server.url, 'POST', '/v1/keys/verify', { authorization: `Bearer ${server.operatorKeys.sandbox}`, 'content-type': 'application/json' }, body);
        if (response === null) return;
        const what = `verify ${JSON.stringify(c).slice(0, 200)} for ${operation}`;
        const admitted = /^(bearer|basic) /i.test(c) ? admitsAuthorization(c) : admitsPlain(c);
        expectWellFormed(response, 'POST', what);
        if (response.status === 200) {
          expect(typeof response.body.valid, what).toBe('boolean');
          if (response.body.valid) expect(admitted, `${what} was declared valid`).toBe(true);
          else expect(typeof response.body.code, what).toBe('string');
        } else {
          expect(response.status, `${what}: ${response.text}`).toBe(400);
        }
        for (const secret of allSecrets()) expect(response.text.includes(secret.slice(-39, -6)), `${what} echoed a secret`).toBe(false);
      }),
      { numRuns: 500, endOnFailure: true },
    );
  });

  it('left no unhandled error in the log, and real keys still work', async () => {
    expect(server.logs.filter((line) => /"level":(50|60)/.test(line)).slice(0, 3)).toEqual([]);
    const api = new Api(server.url);
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: active[0]!.secret })).status).toBe(200);
    expect((await api.get(`/v1/accounts/${merchantId}`, { headers: { 'x-ozura-api-key': active[0]!.secret } })).status).toBe(200);
  });
});
