import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/domain/key-format.js';
import { Api } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { closeFuzzAgent, fuzzRequest, type FuzzResponse } from '../helpers/fuzz.js';
import { createClient, issueToken, OAUTH_ERROR_CODES, type ClientCredential } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// 2,000 cases per run; FUZZ_RUNS=20000 for a longer hunt.
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const PERMISSIONS = ['accounts.read', 'keys.read', 'operations.list'];
/** RFC 6749 §5.2: error_description is printable ASCII without `"` and `\`. */
const DESCRIPTION_CHARSET = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/** Node's client sends header values as latin1: carry any Unicode as its UTF-8 bytes, as a real client would. */
function asHeaderBytes(value: string): string {
  return /[^\u0000-\u00ff]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
}

interface Case {
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  /** Some active, unlimited client's secret is in the request (so a 200 is possible). */
  carriesActiveClient: boolean;
  describe: string;
}

// Property-based fuzzing of the token endpoint: random grant types, scopes,
// client ids and secrets, repeated parameters, Basic headers, content types
// and garbage bodies. Never a 5xx; always either a §5.1 success or a §5.2
// error, never cached; nothing but an active client's secret gets a token,
// and no secret is echoed back.
describe('fuzzing POST /oauth/token', () => {
  let server: TestServer;
  let active: ClientCredential;
  let limited: ClientCredential;
  const dead: ClientCredential[] = [];
  const otherKinds: Array<{ id: string; secret: string }> = [];
  let fenced: ClientCredential;
  let reached = 0;
  const outcomes = new Map<string, number>();

  beforeAll(async () => {
    server = await startTestServer();
    const api = new Api(server.url);
    const op = server.operatorKeys.sandbox;
    const merchantId = await createAccount(api, op, { type: 'merchant', name: 'Fuzzed' });
    active = await createClient(api, op, merchantId, { permissions: PERMISSIONS });
    limited = await createClient(api, op, merchantId, { permissions: ['accounts.read'], rateLimit: { requests: 1, windowSeconds: 3600 } });
    // Its one request of the hour: from now on it is over its limit.
    await issueToken(api, limited);
    fenced = await createClient(api, op, merchantId, { permissions: ['accounts.read'], allowedIps: ['203.0.113.0/24'] });
    const disabled = await createClient(api, op, merchantId, { permissions: ['accounts.read'] });
    expect((await api.patch(`/v1/accounts/${merchantId}/keys/${disabled.id}`, { enabled: false }, { key: op })).status).toBe(200);
    const deleted = await createClient(api, op, merchantId, { permissions: ['accounts.read'] });
    expect((await api.delete(`/v1/accounts/${merchantId}/keys/${deleted.id}`, { key: op })).status).toBe(200);
    dead.push(disabled, deleted);
    for (const body of [{ kind: 'secret' }, { kind: 'restricted', permissions: ['accounts.read'] }]) {
      const issued = await createKey(api, op, merchantId, body);
      otherKinds.push({ id: issued.id, secret: issued.secret });
    }
  });
  afterAll(async () => {
    closeFuzzAgent();
    await server.close();
  });

  const clients = () => [active, limited, fenced, ...dead];
  const allSecrets = () => [...clients().map((c) => c.clientSecret), ...otherKinds.map((k) => k.secret), server.operatorKeys.sandbox, server.operatorKeys.live];

  // --- values ----------------------------------------------------------------
  const someClient = fc.nat().map((i) => clients()[i % clients().length]!);
  const someOther = fc.nat().map((i) => otherKinds[i % otherKinds.length]!);
  const garbage = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({ minLength: 300, maxLength: 3000 }),
    fc.constantFrom('', ' ', '%', '%zz', '%E0%A4%A', '+', '&', '=', ':', 'null', '\u0000', '😀', '__proto__', '{"a":1}'),
  );
  const secret = fc.oneof(
    { weight: 4, arbitrary: someClient.map((c) => c.clientSecret) },
    { weight: 1, arbitrary: someOther.map((k) => k.secret) },
    { weight: 1, arbitrary: fc.tuple(someClient, fc.nat()).map(([c, n]) => c.clientSecret.slice(0, n % c.clientSecret.length) + 'x' + c.clientSecret.slice((n % c.clientSecret.length) + 1)) },
    { weight: 1, arbitrary: fc.constantFrom('client', 'secret').map((kind) => generateSecret('tsr', kind as 'client', 'sandbox')) },
    { weight: 2, arbitrary: garbage },
  );
  const clientId = fc.oneof({ weight: 4, arbitrary: someClient.map((c) => c.clientId) }, { weight: 1, arbitrary: someOther.map((k) => k.id) }, { weight: 2, arbitrary: garbage });
  const grantType = fc.oneof(
    { weight: 6, arbitrary: fc.constant('client_credentials') },
    { weight: 2, arbitrary: fc.constantFrom('authorization_code', 'password', 'refresh_token', 'implicit', '', ' client_credentials', 'CLIENT_CREDENTIALS', 'urn:ietf:params:oauth:grant-type:device_code') },
    { weight: 1, arbitrary: garbage },
  );
  const scope = fc.oneof(
    fc.subarray([...PERMISSIONS, 'keys.create', 'keys.verify', 'payment_requests.create']).map((s) => s.join(' ')),
    fc.array(fc.constantFrom(...PERMISSIONS, ' ', '  ', '\t'), { maxLength: 5 }).map((s) => s.join(' ')),
    garbage,
  );
  const paramName = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('grant_type', 'scope', 'client_id', 'client_secret') },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'token', 'username', 'password', 'code', 'audience', 'resource', '') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const pair = fc.oneof(
    { weight: 3, arbitrary: grantType.map((v): [string, string] => ['grant_type', v]) },
    { weight: 2, arbitrary: scope.map((v): [string, string] => ['scope', v]) },
    { weight: 3, arbitrary: clientId.map((v): [string, string] => ['client_id', v]) },
    { weight: 3, arbitrary: secret.map((v): [string, string] => ['client_secret', v]) },
    { weight: 1, arbitrary: fc.tuple(paramName, fc.oneof(secret, garbage, grantType)) },
  );
  /** An id and a secret: mostly a credential's own pair. */
  const credentials = fc.oneof(
    { weight: 4, arbitrary: fc.constant(null).map((): [string, string] => [active.clientId, active.clientSecret]) },
    { weight: 4, arbitrary: someClient.map((c): [string, string] => [c.clientId, c.clientSecret]) },
    { weight: 1, arbitrary: someOther.map((k): [string, string] => [k.id, k.secret]) },
    { weight: 2, arbitrary: fc.tuple(clientId, secret) },
  );
  const encode = (pairsList: Array<[string, string]>, how: number): string => {
    if (how === 0) return pairsList.map(([n, v]) => `${n}=${v}`).join('&'); // raw, unescaped
    const search = new URLSearchParams();
    for (const [n, v] of pairsList) search.append(n, v);
    return search.toString();
  };

  // --- client authentication --------------------------------------------------
  const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  const basicOf = ([id, s]: [string, string], encoded: boolean) => `Basic ${Buffer.from(encoded ? `${formEncode(id)}:${formEncode(s)}` : `${id}:${s}`).toString('base64')}`;
  const authorization = fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.tuple(credentials, fc.boolean()).map(([c, encoded]) => basicOf(c, encoded)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 80 }).map((b) => `Basic ${Buffer.from(b).toString('base64')}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Basic', 'basic', 'Bearer', 'Digest', '', 'Basic:'), garbage).map(([s, g]) => `${s} ${g}`) },
    { weight: 1, arbitrary: secret.map((s) => `Bearer ${s}`) },
  );
  const contentType = fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/x-www-form-urlencoded') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'application/x-www-form-urlencoded; charset=utf-8',
        'APPLICATION/X-WWW-FORM-URLENCODED',
        'application/x-www-form-urlencoded;charset=latin1',
        'application/json',
        'application/jwt',
        'text/plain',
        'multipart/form-data; boundary=xyz',
        'application/x-www-form-urlencodedx',
        undefined,
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
  /** The form and the Authorization header: often a well-formed request with little noise; sometimes anything. */
  const request = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(grantType, fc.option(scope, { nil: undefined }), credentials, fc.constantFrom('basic', 'basic', 'post', 'post', 'both', 'none'), fc.boolean(), fc.array(pair, { maxLength: 1 }), fc.nat(9).map((n) => n < 3))
        .map(([g, sc, c, mode, encoded, extra, noise]) => {
          const list: Array<[string, string]> = [['grant_type', g], ...(sc === undefined ? [] : ([['scope', sc]] as Array<[string, string]>))];
          if (mode === 'post' || mode === 'both') list.push(['client_id', c[0]], ['client_secret', c[1]]);
          if (noise) list.push(...extra);
          return { list, auth: mode === 'basic' || mode === 'both' ? basicOf(c, encoded) : undefined };
        }),
    },
    { weight: 1, arbitrary: fc.tuple(fc.array(pair, { maxLength: 8 }), authorization).map(([list, auth]) => ({ list, auth })) },
  );
  const fuzzCase: fc.Arbitrary<Case> = fc
    .record({
      request,
      how: fc.integer({ min: 0, max: 4 }),
      contentType,
      bodyKind: fc.integer({ min: 0, max: 14 }),
      garbageBody: fc.uint8Array({ maxLength: 300 }),
    })
    .map(({ request: { list, auth }, how, contentType: type, bodyKind, garbageBody }) => {
      const body = bodyKind === 0 ? Buffer.from(garbageBody) : bodyKind === 1 ? JSON.stringify(Object.fromEntries(list)) : bodyKind === 2 ? undefined : encode(list, how);
      const headers: Record<string, string> = {};
      if (type !== undefined) headers['content-type'] = asHeaderBytes(type);
      if (auth !== undefined) headers.authorization = asHeaderBytes(auth);
      const text = `${typeof body === 'string' ? decodeURIComponentSafe(body) : ''} ${auth?.startsWith('Basic ') ? decodeURIComponentSafe(Buffer.from(auth.slice(6), 'base64').toString('utf8')) : ''}`;
      const carriesActiveClient = text.includes(active.clientSecret);
      return { headers, body, carriesActiveClient, describe: `${JSON.stringify(headers)} ${String(body).slice(0, 300)}` };
    });

  function decodeURIComponentSafe(s: string): string {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  }

  function check(response: FuzzResponse, c: Case): void {
    const what = `${c.describe} → ${response.status} ${response.text.slice(0, 300)}`;
    expect(response.status, what).toBeLessThan(500);
    expect([200, 400, 401, 429], what).toContain(response.status);
    expect(response.headers['cache-control'], what).toBe('no-store');
    expect(response.headers['content-type'], what).toMatch(/^application\/json/);
    expect(typeof response.body, what).toBe('object');
    if (response.status === 200) {
      // Only an active client's own secret obtains a token.
      expect(c.carriesActiveClient, what).toBe(true);
      expect(Object.keys(response.body).sort(), what).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(response.body.token_type).toBe('Bearer');
      expect(response.body.expires_in).toBe(900);
      expect(response.body.access_token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
      for (const s of (response.body.scope as string).split(' ')) expect(PERMISSIONS, what).toContain(s);
      expect(response.headers.pragma).toBe('no-cache');
      outcomes.set('200', (outcomes.get('200') ?? 0) + 1);
      return;
    }
    expect(Object.keys(response.body).sort(), what).toEqual(['error', 'error_description']);
    expect(OAUTH_ERROR_CODES, what).toContain(response.body.error);
    expect(typeof response.body.error_description, what).toBe('string');
    expect(response.body.error_description, what).toMatch(DESCRIPTION_CHARSET);
    const expectedStatus = response.body.error === 'invalid_client' ? 401 : response.status === 429 ? 429 : 400;
    expect(response.status, what).toBe(expectedStatus);
    if (response.status === 429) {
      expect(response.body.error, what).toBe('invalid_request');
      expect(Number(response.headers['retry-after']), what).toBeGreaterThanOrEqual(1);
    }
    if (response.status === 401 && /^basic /i.test(c.headers.authorization ?? '')) expect(response.headers['www-authenticate'], what).toMatch(/^Basic /);
    // Never a secret echoed, whole or its random part.
    for (const s of allSecrets()) expect(response.text.includes(s.slice(-39, -6)), `${what} echoed a secret`).toBe(false);
    const key = response.status === 429 ? '429' : String(response.body.error);
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }

  it(`answers ${NUM_RUNS} random token requests with a §5.1 success or a §5.2 error, never cached, never a 5xx`, async () => {
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const response = await fuzzRequest(server.url, 'POST', '/oauth/token', c.headers, c.body);
        if (response === null) return; // Node's client refused to send it
        reached++;
        check(response, c);
      }),
      { numRuns: NUM_RUNS, endOnFailure: true },
    );
    expect(reached).toBeGreaterThan(NUM_RUNS * 0.8);
    if (process.env.FUZZ_STATS) console.log(reached, [...outcomes]);
    // Every answer of the endpoint was reached.
    for (const outcome of ['200', '429', ...OAUTH_ERROR_CODES.filter((c) => c !== 'invalid_grant')]) {
      expect(outcomes.get(outcome) ?? 0, `${outcome} in ${JSON.stringify([...outcomes])}`).toBeGreaterThan(0);
    }
  });
});
