import { createHmac, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createAccount, createKey, type IssuedKey } from '../helpers/fixtures.js';
import { closeFuzzAgent, expectWellFormed, fuzzRequest, type FuzzResponse } from '../helpers/fuzz.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { contentDigest, ed25519KeyOf, handSign, hmacKeyOf, signatureParams, type ClientSigningKey } from '../helpers/signing.js';

// 2,000 cases per run; FUZZ_RUNS=20000 for a longer hunt.
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
/** The server's frozen clock, so a valid signature's `created` is known in advance. */
const NOW = 1_893_456_000;
/** Node's server refuses a header block past 16 KiB before any route runs (400 invalid_header). */
const HEADER_LIMIT = 16 * 1024;

/** Node's client sends header values as latin1: carry any Unicode as its UTF-8 bytes, as a real client would. */
function asHeaderBytes(value: string): string {
  return /[^\u0000-\u00ff]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
}

/** How one signature header is made for a case. */
type HeaderPlan =
  | { kind: 'absent' }
  | { kind: 'valid' }
  | { kind: 'mutated'; mutations: Mutation[] }
  | { kind: 'created'; shift: number }
  | { kind: 'random'; value: string };

interface Mutation {
  op: number;
  at: number;
  char: string;
}

function mutate(value: string, mutations: readonly Mutation[]): string {
  let s = value;
  for (const { op, at, char } of mutations) {
    const i = s.length === 0 ? 0 : at % s.length;
    switch (op) {
      case 0:
        s = s.slice(0, i) + char + s.slice(i + 1); // substitute
        break;
      case 1:
        s = s.slice(0, i) + s.slice(i + 1); // delete
        break;
      case 2:
        s = s.slice(0, i) + char + s.slice(i); // insert
        break;
      case 3:
        s = s.slice(0, i); // truncate
        break;
      case 4:
        s = `${s}, ${s}`; // a second member, same label
        break;
      case 5:
        s = s.slice(0, i) + (s[i] === s[i]?.toUpperCase() ? (s[i]?.toLowerCase() ?? '') : (s[i]?.toUpperCase() ?? '')) + s.slice(i + 1); // case
        break;
      default:
        s = s.replace(/sig1/g, char === ',' ? 'sig2' : 'sig1'); // relabel
    }
  }
  return s;
}

// Property-based fuzzing of the signature headers: Signature-Input,
// Signature, Content-Digest and Payload-Signature, as random structured-field
// look-alikes, mutations of a valid signed request, huge values and Unicode,
// against keys that sign with HMAC, Ed25519 and Payload-Signature. Never a
// 5xx, always the envelope with a signature code, a request id; and nothing
// but a signature made with the key gets in.
describe('fuzzing the signature headers', () => {
  let server: TestServer;
  let merchantId: string;
  const keys: Array<{ issued: IssuedKey; scheme: 'rfc9421' | 'payload' | 'none'; signWith: ClientSigningKey | null }> = [];
  const outcomes = new Map<string, number>();
  let reached = 0;
  let nonce = 0;
  /** The last accepted RFC 9421 request, to replay. */
  let lastAccepted: { method: string; path: string; headers: Record<string, string>; body: string | undefined } | null = null;

  beforeAll(async () => {
    server = await startTestServer({ now: () => NOW * 1000 });
    const api = new Api(server.url);
    const op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Fuzzed signatures' });
    const permissions = ['accounts.read', 'accounts.update', 'keys.read'];
    const hmac = await createKey(api, op, merchantId, { kind: 'restricted', permissions, generateHMAC: true });
    keys.push({ issued: hmac, scheme: 'rfc9421', signWith: hmacKeyOf(hmac) });
    const pair = generateKeyPairSync('ed25519');
    const ed = await createKey(api, op, merchantId, { kind: 'restricted', permissions, signingPublicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString() });
    keys.push({ issued: ed, scheme: 'rfc9421', signWith: ed25519KeyOf(ed.id, pair.privateKey) });
    const payload = await createKey(api, op, merchantId, { kind: 'restricted', permissions, generateHMAC: true, signatureScheme: 'payload-signature' });
    keys.push({ issued: payload, scheme: 'payload', signWith: hmacKeyOf(payload) });
    // A key that does not sign: signature headers mean nothing to it.
    keys.push({ issued: await createKey(api, op, merchantId, { kind: 'restricted', permissions }), scheme: 'none', signWith: null });
  });
  afterAll(async () => {
    closeFuzzAgent();
    await server.close();
  });

  const hmacSecrets = () => keys.filter((k) => typeof k.issued.hmacKey === 'string').map((k) => k.issued.hmacKey as string);

  // --- values --------------------------------------------------------------
  const keyIdText = fc.nat().map((i) => keys[i % keys.length]!.issued.id);
  const unicode = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('😀', 'é', '\u202e', '\u200b', 'ß', 'ﬀ', '\u00ff', '\u0085'));
  const sfString = fc.oneof(fc.string({ maxLength: 20 }), unicode).map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`);
  const base64 = fc.uint8Array({ maxLength: 96 }).map((b) => Buffer.from(b).toString('base64'));
  const label = fc.constantFrom('sig1', 'sig', 'a', 'sig-b', '*x', 'Sig1', '1sig', '', 'sig1 ', 'x.y');
  const component = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('"@method"', '"@target-uri"', '"@authority"', '"@path"', '"@query"', '"@request-target"', '"@scheme"', '"content-digest"', '"content-type"', '"authorization"') },
    { weight: 2, arbitrary: fc.constantFrom('"@status"', '"@query-param";name="a"', '"x-missing"', '"Content-Type"', '@method', '"@method";sf', '"@method";bs', '"signature"', '""', '"@"') },
    { weight: 1, arbitrary: sfString },
  );
  const paramValue = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: NOW - 600, max: NOW + 600 }).map(String) },
    { weight: 3, arbitrary: keyIdText.map((id) => `"${id}"`) },
    { weight: 2, arbitrary: fc.constantFrom('"hmac-sha256"', '"ed25519"', '"rsa-pss-sha512"', '?1', '?0', 'tok', ':AAAA:', '1.5', '-0', '999999999999999', '9999999999999999', '-1', '""') },
    { weight: 1, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: sfString },
  );
  const param = fc.tuple(fc.constantFrom('created', 'expires', 'keyid', 'alg', 'nonce', 'tag', 'x', 'KEYID', 'created '), fc.option(paramValue, { nil: undefined })).map(([k, v]) => (v === undefined ? `;${k}` : `;${k}=${v}`));
  const innerList = fc
    .tuple(fc.array(component, { maxLength: 6 }), fc.array(param, { maxLength: 6 }), fc.constantFrom(' ', ' ', '  ', '\t', ''))
    .map(([cs, ps, sep]) => `(${cs.join(sep)})${ps.join('')}`);
  const separator = fc.constantFrom(', ', ',', ' , ', ',\t', ';', ' ');
  const garbage = fc.oneof(fc.string({ maxLength: 60 }), unicode, fc.constantFrom('', ' ', '()', '=', ',', ':', '::', '"', '\\', 'sig1=', 'sig1=()', 'sig1=:', 'sig1=::'));
  const members = (value: fc.Arbitrary<string>) =>
    fc.tuple(fc.array(fc.tuple(label, value), { minLength: 1, maxLength: 3 }), separator).map(([ms, sep]) => ms.map(([l, v]) => `${l}=${v}`).join(sep));
  const huge = fc.oneof(
    fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 500, max: 2500 })).map(([s, n]) => s.repeat(n)),
    fc.integer({ min: 200, max: 2000 }).map((n) => `sig1=(${'"@method" '.repeat(n)}"@target-uri");created=${NOW}`),
    fc.integer({ min: 100, max: 800 }).map((n) => Array.from({ length: n }, (_, i) => `s${i}=:AAAA:`).join(', ')),
    fc.integer({ min: 5000, max: 20000 }).map((n) => `sig1=:${'A'.repeat(n)}:`),
  );
  const randomInput = fc.oneof({ weight: 5, arbitrary: members(innerList) }, { weight: 2, arbitrary: garbage }, { weight: 1, arbitrary: huge });
  const randomSignature = fc.oneof(
    { weight: 4, arbitrary: members(base64.map((b) => `:${b}:`)) },
    { weight: 1, arbitrary: members(fc.tuple(base64, fc.array(param, { maxLength: 2 })).map(([b, ps]) => `:${b}:${ps.join('')}`)) },
    { weight: 2, arbitrary: garbage },
    { weight: 1, arbitrary: huge },
  );
  const randomDigest = fc.oneof(
    { weight: 4, arbitrary: members(base64.map((b) => `:${b}:`)).map((v) => v.replace(/^[^=]*=/, (m) => (m.length % 2 === 0 ? 'sha-256=' : m))) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('sha-256', 'sha-512', 'sha-1', 'md5', 'SHA-256', 'unixsum'), base64).map(([alg, b]) => `${alg}=:${b}:`) },
    { weight: 2, arbitrary: garbage },
    { weight: 1, arbitrary: huge },
  );
  const randomPayload = fc.oneof(
    { weight: 3, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')) },
    { weight: 2, arbitrary: fc.stringMatching(/^[0-9a-fA-F ]{0,70}$/) },
    { weight: 2, arbitrary: garbage },
    { weight: 1, arbitrary: huge },
  );
  const mutation = fc.record({ op: fc.integer({ min: 0, max: 6 }), at: fc.nat(), char: fc.constantFrom(',', ';', '"', ':', '(', ')', ' ', '=', '\\', 'A', '0', '@', 'é', '\u00ff', '😀', '/', '+', '\t') });
  const plan = (random: fc.Arbitrary<string>, withCreated: boolean): fc.Arbitrary<HeaderPlan> =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<HeaderPlan>({ kind: 'valid' }) },
      { weight: 1, arbitrary: fc.constant<HeaderPlan>({ kind: 'absent' }) },
      { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations): HeaderPlan => ({ kind: 'mutated', mutations })) },
      { weight: 3, arbitrary: random.map((value): HeaderPlan => ({ kind: 'random', value })) },
      // Signature-Input only: the same signature with `created` moved, in and out of the window.
      ...(withCreated ? [{ weight: 2, arbitrary: fc.integer({ min: -1000, max: 1000 }).map((shift): HeaderPlan => ({ kind: 'created', shift })) }] : []),
    );

  const target = fc.constantFrom(
    { method: 'GET', path: () => `/v1/accounts/${merchantId}`, body: false },
    { method: 'GET', path: () => `/v1/accounts/${merchantId}/keys?includeDeleted=true`, body: false },
    { method: 'GET', path: () => `/sandbox/v1/accounts/${merchantId}`, body: false },
    { method: 'PATCH', path: () => `/v1/accounts/${merchantId}`, body: true },
  );
  const components = fc.constantFrom(['@method', '@target-uri'], ['@method', '@authority', '@path', '@query'], ['@method', '@request-target', '@authority'], ['@method', '@target-uri', 'content-type']);

  const scenario = fc.record({
    key: fc.nat({ max: 3 }),
    target,
    components,
    input: plan(randomInput, true),
    signature: plan(randomSignature, false),
    digest: plan(randomDigest, false),
    payload: plan(randomPayload, false),
    replay: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  });

  function apply(p: HeaderPlan, valid: string | undefined): string | undefined {
    switch (p.kind) {
      case 'absent':
        return undefined;
      case 'valid':
        return valid;
      case 'mutated':
        return valid === undefined ? undefined : mutate(valid, p.mutations);
      case 'created':
        return valid?.replace(`created=${NOW}`, `created=${NOW + p.shift}`);
      case 'random':
        return p.value;
    }
  }

  function record(outcome: string): void {
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }

  function check(response: FuzzResponse, method: string, what: string, headerBytes: number): void {
    reached++;
    expectWellFormed(response, method, what);
    if (response.status >= 400) {
      const code = String(response.body.error.code);
      record(code);
      if (code === 'invalid_header') expect(headerBytes, `${what}: invalid_header for a small request`).toBeGreaterThan(HEADER_LIMIT - 2048);
      else expect(code, `${what}: ${response.text.slice(0, 300)}`).toMatch(/^signature_/);
      expect(response.status, what).toBe(code === 'invalid_header' ? 400 : 401);
      if (response.status === 401) expect(response.headers['www-authenticate'], what).toMatch(/^Signature, error="invalid_token"/);
    } else {
      record(String(response.status));
    }
    const everything = `${response.text}\n${JSON.stringify(response.headers)}`;
    for (const secret of hmacSecrets()) expect(everything.includes(secret.slice(-39, -6)), `${what} echoed a signing secret`).toBe(false);
  }

  it(`answers ${NUM_RUNS} random signature headers safely, and lets in only real signatures`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (c) => {
        if (c.replay && lastAccepted !== null) {
          const again = lastAccepted;
          const response = await fuzzRequest(server.url, again.method, again.path, again.headers, again.body);
          if (response === null) return;
          check(response, again.method, `replay of ${again.method} ${again.path}`, 0);
          expect(response.status).toBe(401);
          expect(response.body.error.code).toBe('signature_replayed');
          return;
        }
        const { issued, scheme, signWith } = keys[c.key]!;
        const method = c.target.method;
        const path = c.target.path();
        const body = c.target.body ? JSON.stringify({ name: `fuzz ${nonce}` }) : undefined;
        const base: Record<string, string> = { authorization: `Bearer ${issued.secret}`, ...(body !== undefined && { 'content-type': 'application/json' }) };
        // What a correct client would send: a fresh, valid signature for this very request.
        const validDigest = body === undefined ? undefined : contentDigest(body);
        let validInput: string | undefined;
        let validSignature: string | undefined;
        const validPayload = signWith?.algorithm === 'hmac-sha256' ? createHmac('sha256', signWith.secret).update(body ?? '').digest('hex') : undefined;
        if (signWith !== null) {
          const covered = [...c.components, ...(body !== undefined ? ['content-digest'] : [])];
          const signed = handSign({
            method,
            url: server.url + path,
            headers: { ...base, ...(validDigest !== undefined && { 'content-digest': validDigest }) },
            components: covered,
            params: signatureParams({ created: NOW, keyid: issued.id, alg: signWith.algorithm, nonce: `f${++nonce}` }),
            key: signWith,
          });
          validInput = signed['signature-input'];
          validSignature = signed.signature;
        }
        const headers: Record<string, string> = { ...base };
        const set = (name: string, value: string | undefined) => {
          if (value !== undefined) headers[name] = asHeaderBytes(value);
        };
        set('signature-input', apply(c.input, validInput));
        set('signature', apply(c.signature, validSignature));
        set('content-digest', apply(c.digest, validDigest));
        set('payload-signature', apply(c.payload, validPayload));
        const headerBytes = Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
        const what = `${method} ${path} with ${scheme} key: ${JSON.stringify(headers).slice(0, 400)}`;
        const response = await fuzzRequest(server.url, method, path, headers, body);
        if (response === null) return; // Node's client refused to send it
        check(response, method, what, headerBytes);
        if (response.status < 400) {
          // Nothing but a signature made with the key gets in.
          if (scheme === 'rfc9421') {
            // Compared as bytes: RFC 8941 lets a parser take base64 without its = padding.
            const real = Buffer.from(validSignature!.slice('sig1=:'.length, -1), 'base64');
            const sent = [...(headers.signature ?? '').matchAll(/:([A-Za-z0-9+/=]*):/g)].map((m) => Buffer.from(m[1]!, 'base64'));
            expect(sent.some((bytes) => bytes.equals(real)), `${what} was let in without the real signature`).toBe(true);
            lastAccepted = { method, path, headers, body };
          }
          if (scheme === 'payload') expect((headers['payload-signature'] ?? '').trim().toLowerCase(), `${what} was let in`).toBe(validPayload);
        }
        // A key that does not sign ignores the headers (unless they overflow what Node's parser takes).
        if (scheme === 'none' && headerBytes < HEADER_LIMIT - 2048) expect(response.status, `${what}: ${response.text.slice(0, 200)}`).toBeLessThan(400);
      }),
      { numRuns: NUM_RUNS, endOnFailure: true },
    );
    expect(reached).toBeGreaterThan(NUM_RUNS * 0.8);
    // The fuzzer reached every step of verification.
    for (const outcome of [
      '200',
      'signature_missing',
      'signature_malformed',
      'signature_unknown_keyid',
      'signature_missing_component',
      'signature_content_digest_mismatch',
      'signature_created_out_of_window',
      'signature_replayed',
      'signature_invalid',
    ]) {
      expect(outcomes.get(outcome) ?? 0, `${outcome} in ${JSON.stringify([...outcomes])}`).toBeGreaterThan(0);
    }
  });

  it('left no unhandled error in the log, and correctly signed requests still work', async () => {
    expect(server.logs.filter((line) => /"level":(50|60)/.test(line)).slice(0, 3)).toEqual([]);
    for (const { issued, scheme, signWith } of keys) {
      const path = `/v1/accounts/${merchantId}`;
      const headers: Record<string, string> = { authorization: `Bearer ${issued.secret}` };
      if (scheme === 'rfc9421') Object.assign(headers, handSign({ method: 'GET', url: server.url + path, components: ['@method', '@target-uri'], params: signatureParams({ created: NOW, keyid: issued.id, nonce: 'final' }), key: signWith! }));
      if (scheme === 'payload' && signWith?.algorithm === 'hmac-sha256') headers['payload-signature'] = createHmac('sha256', signWith.secret).update('').digest('hex');
      const response = await fuzzRequest(server.url, 'GET', path, headers);
      expect(response?.status, response?.text).toBe(200);
    }
  });
});
