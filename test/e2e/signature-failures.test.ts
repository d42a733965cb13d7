import { createHash, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey, type IssuedKey } from '../helpers/fixtures.js';
import { eventually, expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { contentDigest, ed25519KeyOf, handSign, hmacKeyOf, librarySign, signatureParams, type ClientSigningKey } from '../helpers/signing.js';

/** The server's frozen clock: 2030-01-01T00:00:00Z, far from the real one, so only the server's clock can make `created` fit. */
const NOW = 1_893_456_000;

// Every way a signed request can fail, each with its own code, over real
// HTTP; and the ways it succeeds: hmac-sha256 and ed25519, over @target-uri
// or @authority + @path + @query, through the /sandbox prefix, Payload-Signature.
describe('request signatures: failures and successes end to end', () => {
  let server: TestServer;
  let api: Api;
  let merchantId: string;
  /** RFC 9421 with an HMAC key; another such key; Ed25519; Payload-Signature; a rate-limited HMAC key. */
  let hmac: IssuedKey;
  let otherHmac: IssuedKey;
  let ed: IssuedKey;
  let edKey: ClientSigningKey;
  let payload: IssuedKey;
  let limited: IssuedKey;
  /** Every answer, to check afterwards that none carried a signing secret. */
  const answers: ApiResponse[] = [];
  let nonce = 0;

  const permissions = ['accounts.read', 'accounts.update', 'keys.read'];
  const account = () => `/v1/accounts/${merchantId}`;
  const keysWithQuery = () => `/v1/accounts/${merchantId}/keys?includeDeleted=true`;

  beforeAll(async () => {
    server = await startTestServer({ now: () => NOW * 1000 });
    api = new Api(server.url);
    const op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Signed shop' });
    hmac = await createKey(api, op, merchantId, { kind: 'restricted', permissions, generateHMAC: true });
    otherHmac = await createKey(api, op, merchantId, { kind: 'restricted', permissions, generateHMAC: true });
    const pair = generateKeyPairSync('ed25519');
    ed = await createKey(api, op, merchantId, { kind: 'restricted', permissions, signingPublicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString() });
    edKey = ed25519KeyOf(ed.id, pair.privateKey);
    payload = await createKey(api, op, merchantId, { kind: 'restricted', permissions, generateHMAC: true, signatureScheme: 'payload-signature' });
    limited = await createKey(api, op, merchantId, { kind: 'restricted', permissions, generateHMAC: true, rateLimit: { requests: 2, windowSeconds: 60 } });
  });
  afterAll(() => server.close());

  async function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<ApiResponse> {
    const response = await api.nodeRequest(method, path, headers, body);
    answers.push(response);
    return response;
  }

  interface SignedCase {
    method?: string;
    path?: string;
    body?: string;
    /** Extra request headers, sent and available to cover. */
    headers?: Record<string, string>;
    components?: string[];
    /** Parameters after the inner list; default created=NOW, keyid, alg and a fresh nonce. */
    params?: string;
    /** The key the signature is made with; default the key authenticating. */
    signWith?: ClientSigningKey;
    rawInnerList?: string;
    /** Applied to the final headers before sending. */
    tamper?: (headers: Record<string, string>) => void;
  }

  /** A request authenticated by `issued`, signed by hand (node:crypto) as the case says. */
  function signed(issued: IssuedKey, c: SignedCase = {}): Promise<ApiResponse> {
    const method = c.method ?? 'GET';
    const path = c.path ?? account();
    const signWith = c.signWith ?? (issued === ed ? edKey : hmacKeyOf(issued));
    const headers: Record<string, string> = {
      authorization: `Bearer ${issued.secret}`,
      ...(c.body !== undefined && { 'content-type': 'application/json', 'content-digest': contentDigest(c.body) }),
      ...c.headers,
    };
    const components = c.components ?? ['@method', '@target-uri', ...(c.body !== undefined ? ['content-digest'] : [])];
    const params = c.params ?? signatureParams({ created: NOW, keyid: issued.id, alg: signWith.algorithm, nonce: `n${++nonce}` });
    Object.assign(headers, handSign({ method, url: server.url + path, headers, components, params, key: signWith, ...(c.rawInnerList !== undefined && { rawInnerList: c.rawInnerList }) }));
    c.tamper?.(headers);
    return send(method, path, headers, c.body);
  }

  /** A request signed by http-message-signatures, the way the README tells merchants to. */
  async function librarySigned(issued: IssuedKey, signWith: ClientSigningKey, method: string, path: string, options: { body?: string; fields?: string[] } = {}): Promise<ApiResponse> {
    const headers = await librarySign({
      method,
      url: server.url + path,
      headers: { authorization: `Bearer ${issued.secret}`, ...(options.body !== undefined && { 'content-type': 'application/json' }) },
      ...(options.body !== undefined && { body: options.body }),
      ...(options.fields !== undefined && { fields: options.fields }),
      key: signWith,
      created: NOW,
      nonce: `lib${++nonce}`,
    });
    return send(method, path, headers, options.body);
  }

  function expectSignatureError(response: ApiResponse, code: string, messagePart?: RegExp): void {
    expectError(response, 401, code);
    expect(response.body.error.type).toBe('authentication_error');
    // A signature failure challenges for a signature, not for a bearer token.
    expect(response.headers.get('www-authenticate'), response.text).toMatch(/^Signature, error="invalid_token"/);
    if (messagePart !== undefined) expect(response.body.error.message).toMatch(messagePart);
  }

  it('key creation refuses, naming signingPublicKey, a public key nothing can be verified against, and creates nothing', async () => {
    const op = server.operatorKeys.sandbox;
    const countKeys = async () => (await api.get(keysWithQuery(), { key: op })).body.data.length as number;
    const before = await countKeys();
    const identity = Buffer.alloc(32);
    identity[0] = 1;
    const spki = (raw: Buffer) => `-----BEGIN PUBLIC KEY-----\n${Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]).toString('base64')}\n-----END PUBLIC KEY-----\n`;
    const refused: Record<string, string> = {
      'not a key': 'hello',
      'an RSA key': generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      '31 raw bytes': randomBytes(31).toString('base64'),
      // Small-order points: a lax verifier would accept forgeries for the identity.
      'the identity point, raw': identity.toString('base64'),
      'the identity point, as PEM': spki(identity),
      'a point of order 4 (all zero bytes)': Buffer.alloc(32).toString('base64'),
    };
    for (const [label, signingPublicKey] of Object.entries(refused)) {
      const response = await api.post(`/v1/accounts/${merchantId}/keys`, { kind: 'restricted', permissions, signingPublicKey }, { key: op });
      expectError(response, 400, 'invalid_field', 'signingPublicKey');
      expect(response.body.error.message, label).toMatch(/signingPublicKey/);
    }
    expect(await countKeys()).toBe(before);
  });

  describe('successes', () => {
    it('shows each key how it must sign', () => {
      expect(hmac.signing).toEqual({ scheme: 'http-message-signatures', algorithm: 'hmac-sha256' });
      expect(ed.signing).toEqual({ scheme: 'http-message-signatures', algorithm: 'ed25519' });
      expect(payload.signing).toEqual({ scheme: 'payload-signature', algorithm: 'hmac-sha256' });
      for (const k of [hmac, otherHmac, payload, limited]) expect(k.hmacKey).toMatch(/^tsr_hk_sandbox_[0-9A-Za-z]{39}$/);
      expect(ed.hmacKey).toBeUndefined();
      expect(new Set([hmac, otherHmac, payload, limited].map((k) => k.hmacKey)).size).toBe(4);
    });

    for (const which of ['hmac-sha256', 'ed25519'] as const) {
      it(`accepts ${which} over @method and @target-uri, with and without a body`, async () => {
        const [issued, signWith] = which === 'ed25519' ? [ed, edKey] : [hmac, hmacKeyOf(hmac)];
        const read = await librarySigned(issued, signWith, 'GET', account());
        expect(read.status, read.text).toBe(200);
        expect(read.body.id).toBe(merchantId);
        const body = JSON.stringify({ name: `Renamed by ${which}` });
        const renamed = await librarySigned(issued, signWith, 'PATCH', account(), { body });
        expect(renamed.status, renamed.text).toBe(200);
        expect(renamed.body.name).toBe(`Renamed by ${which}`);
      });

      it(`accepts ${which} over @method, @authority, @path and @query`, async () => {
        const [issued, signWith] = which === 'ed25519' ? [ed, edKey] : [hmac, hmacKeyOf(hmac)];
        const listed = await librarySigned(issued, signWith, 'GET', keysWithQuery(), { fields: ['@method', '@authority', '@path', '@query'] });
        expect(listed.status, listed.text).toBe(200);
        expect(listed.body.data.length).toBeGreaterThanOrEqual(5);
        // Without a query, @query is "?" and may be left out.
        expect((await librarySigned(issued, signWith, 'GET', account(), { fields: ['@method', '@authority', '@path', '@query'] })).status).toBe(200);
        expect((await librarySigned(issued, signWith, 'GET', account(), { fields: ['@method', '@authority', '@path'] })).status).toBe(200);
      });

      it(`accepts ${which} through the /sandbox prefix: the signature covers the URL as sent`, async () => {
        const [issued, signWith] = which === 'ed25519' ? [ed, edKey] : [hmac, hmacKeyOf(hmac)];
        const prefixed = `/sandbox${keysWithQuery()}`;
        expect((await librarySigned(issued, signWith, 'GET', prefixed)).status).toBe(200);
        expect((await librarySigned(issued, signWith, 'GET', prefixed, { fields: ['@method', '@authority', '@path', '@query'] })).status).toBe(200);
        const body = JSON.stringify({ name: 'Prefixed' });
        expect((await librarySigned(issued, signWith, 'PATCH', `/sandbox${account()}`, { body })).status).toBe(200);
        // Signed for the path without its prefix, sent with it: not what was signed.
        const headers = await librarySign({ method: 'GET', url: server.url + keysWithQuery(), headers: { authorization: `Bearer ${issued.secret}` }, key: signWith, created: NOW, nonce: `p${++nonce}` });
        expectSignatureError(await send('GET', prefixed, headers), 'signature_invalid');
      });
    }

    it('accepts Payload-Signature: hex HMAC-SHA256 of the raw UTF-8 body with the hmacKey', async () => {
      const body = JSON.stringify({ name: 'Café Ünïcode ✓' });
      const hex = createHmac('sha256', payload.hmacKey as string).update(body, 'utf8').digest('hex');
      const ok = await send('PATCH', account(), { authorization: `Bearer ${payload.secret}`, 'content-type': 'application/json', 'payload-signature': hex }, body);
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.name).toBe('Café Ünïcode ✓');
      // Upper-case hex is the same signature.
      expect((await send('PATCH', account(), { authorization: `Bearer ${payload.secret}`, 'content-type': 'application/json', 'payload-signature': hex.toUpperCase() }, body)).status).toBe(200);
      // A request without a body signs the empty body.
      const empty = createHmac('sha256', payload.hmacKey as string).update('').digest('hex');
      expect((await send('GET', account(), { authorization: `Bearer ${payload.secret}`, 'payload-signature': empty })).status).toBe(200);
    });

    it('accepts sha-512 alone in Content-Digest, and requires every supported digest present to match', async () => {
      const body = JSON.stringify({ name: 'sha-512' });
      const sha512 = `sha-512=:${createHash('sha512').update(body).digest('base64')}:`;
      expect((await signed(hmac, { method: 'PATCH', body, headers: { 'content-digest': sha512 } })).status).toBe(200);
      const both = `${contentDigest(body)}, sha-512=:${createHash('sha512').update('other').digest('base64')}:`;
      expectSignatureError(await signed(hmac, { method: 'PATCH', body, headers: { 'content-digest': both } }), 'signature_content_digest_mismatch');
    });
  });

  describe('signature_missing', () => {
    it('an RFC 9421 key with no signature headers, or only one of the two', async () => {
      for (const issued of [hmac, ed]) {
        const bare = await send('GET', account(), { authorization: `Bearer ${issued.secret}` });
        expectSignatureError(bare, 'signature_missing', new RegExp(`Signature-Input and Signature.*keyid="${issued.id}"`));
      }
      const good = handSign({ method: 'GET', url: server.url + account(), components: ['@method', '@target-uri'], params: signatureParams({ created: NOW, keyid: hmac.id, nonce: 'half' }), key: hmacKeyOf(hmac) });
      expectSignatureError(await send('GET', account(), { authorization: `Bearer ${hmac.secret}`, 'signature-input': good['signature-input'] }), 'signature_missing');
      expectSignatureError(await send('GET', account(), { authorization: `Bearer ${hmac.secret}`, signature: good.signature }), 'signature_missing');
    });

    it('a Payload-Signature key without Payload-Signature (an RFC 9421 signature does not count)', async () => {
      const body = JSON.stringify({ name: 'unsigned' });
      expectSignatureError(await send('PATCH', account(), { authorization: `Bearer ${payload.secret}`, 'content-type': 'application/json' }, body), 'signature_missing', /Payload-Signature/);
      expectSignatureError(await signed(payload, { method: 'PATCH', body }), 'signature_missing');
      expectSignatureError(await send('PATCH', account(), { authorization: `Bearer ${payload.secret}`, 'content-type': 'application/json', 'payload-signature': '' }, body), 'signature_missing');
    });
  });

  describe('signature_malformed', () => {
    const garbageInputs = [
      'garbage',
      'sig1=',
      'sig1=garbage',
      'sig1=("@method" "@target-uri"',
      'sig1=(@method @target-uri);created=1',
      'sig1=("@method");created=1.5',
      '=("@method")',
      'sig1=("@method"),',
      'SIG1=("@method")',
      'sig1=("@method")"',
      'sig1=("@méthod")',
      'sig1=("@method");created=1;created=2',
    ];

    it('garbage in Signature-Input', async () => {
      for (const input of garbageInputs) {
        const response = await signed(hmac, { tamper: (h) => void (h['signature-input'] = input) });
        expectSignatureError(response, 'signature_malformed', /structured field/);
      }
    });

    it('garbage in Signature', async () => {
      for (const signature of ['sig1=:not base64!:', 'sig1=abc', 'sig1=:AAAA', 'sig1', ':AAAA:']) {
        expectSignatureError(await signed(hmac, { tamper: (h) => void (h.signature = signature) }), 'signature_malformed');
      }
    });

    it('a label in Signature-Input without a value in Signature', async () => {
      const response = await signed(hmac, { tamper: (h) => void (h.signature = h.signature!.replace(/^sig1=/, 'sig2=')) });
      expectSignatureError(response, 'signature_malformed', /label sig1 but Signature has no value/);
    });

    it('component parameters, like "@query-param";name="x" or "content-type";sf', async () => {
      const params = () => signatureParams({ created: NOW, keyid: hmac.id, nonce: `cp${++nonce}` });
      for (const component of ['"@query-param";name="includeDeleted"', '"content-type";sf', '"@method";req']) {
        const p = params();
        const response = await signed(hmac, { path: keysWithQuery(), components: ['@method', '@target-uri'], rawInnerList: `("@method" "@target-uri" ${component})${p}`, params: p });
        expectSignatureError(response, 'signature_malformed', /Component parameters/);
      }
    });

    it('a derived component Tessera does not know', async () => {
      expectSignatureError(await signed(hmac, { components: ['@method', '@target-uri', '@status'] }), 'signature_malformed', /@status is not supported/);
    });

    it('a Payload-Signature that is not 64 hex characters', async () => {
      for (const value of ['abc', 'zz'.repeat(32), 'a'.repeat(63), 'a'.repeat(65), `sha256=${'a'.repeat(64)}`]) {
        expectSignatureError(await send('GET', account(), { authorization: `Bearer ${payload.secret}`, 'payload-signature': value }), 'signature_malformed');
      }
    });
  });

  describe('signature_unknown_keyid', () => {
    it("a keyid of another key, even signed with that key's own secret", async () => {
      const response = await signed(hmac, { signWith: hmacKeyOf(otherHmac), params: signatureParams({ created: NOW, keyid: otherHmac.id, nonce: 'other' }) });
      expectSignatureError(response, 'signature_unknown_keyid', new RegExp(`keyid="${hmac.id}".*found "${otherHmac.id}"`));
    });

    it('no keyid at all', async () => {
      expectSignatureError(await signed(hmac, { params: signatureParams({ created: NOW, alg: 'hmac-sha256', nonce: 'nokid' }) }), 'signature_unknown_keyid', /names no keyid/);
      expectSignatureError(await signed(ed, { params: signatureParams({ created: NOW, nonce: 'nokid-ed' }) }), 'signature_unknown_keyid');
    });
  });

  describe('signature_missing_component', () => {
    it('not covering @method', async () => {
      expectSignatureError(await signed(hmac, { components: ['@target-uri'] }), 'signature_missing_component', /must cover @method/);
    });

    it('not covering the target', async () => {
      expectSignatureError(await signed(hmac, { components: ['@method'] }), 'signature_missing_component', /@target-uri \(or @authority, @path and @query\)/);
      expectSignatureError(await signed(hmac, { components: ['@method', '@path'] }), 'signature_missing_component', /@target-uri/);
      expectSignatureError(await signed(hmac, { components: ['@method', '@authority'] }), 'signature_missing_component', /must cover @path/);
      // A URL with a query must have it covered.
      expectSignatureError(await signed(hmac, { path: keysWithQuery(), components: ['@method', '@authority', '@path'] }), 'signature_missing_component', /must cover @query/);
    });

    it('a request with a body, without content-digest covered', async () => {
      const body = JSON.stringify({ name: 'not covered' });
      expectSignatureError(await signed(hmac, { method: 'PATCH', body, components: ['@method', '@target-uri'] }), 'signature_missing_component', /must cover content-digest/);
      expectSignatureError(await signed(ed, { method: 'PATCH', body, components: ['@method', '@target-uri'] }), 'signature_missing_component', /content-digest/);
    });

    it('covering a header the request lacks', async () => {
      expectSignatureError(await signed(hmac, { components: ['@method', '@target-uri', 'x-purpose'] }), 'signature_missing_component', /x-purpose but the request has no such header/);
      expectSignatureError(await signed(hmac, { components: ['@method', '@target-uri', 'content-digest'] }), 'signature_missing_component', /no Content-Digest header/);
    });
  });

  describe('signature_content_digest_mismatch', () => {
    it('a digest of other bytes than the body', async () => {
      const body = JSON.stringify({ name: 'sent' });
      const response = await signed(hmac, { method: 'PATCH', body, headers: { 'content-digest': contentDigest(JSON.stringify({ name: 'signed' })) } });
      expectSignatureError(response, 'signature_content_digest_mismatch', /does not match the body/);
    });

    it('only algorithms Tessera does not accept', async () => {
      const body = JSON.stringify({ name: 'sha-1' });
      const sha1 = `sha-1=:${createHash('sha1').update(body).digest('base64')}:`;
      expectSignatureError(await signed(hmac, { method: 'PATCH', body, headers: { 'content-digest': sha1 } }), 'signature_content_digest_mismatch', /no sha-256 or sha-512/);
      const md5 = `md5=:${createHash('md5').update(body).digest('base64')}:`;
      expectSignatureError(await signed(hmac, { method: 'PATCH', body, headers: { 'content-digest': md5 } }), 'signature_content_digest_mismatch');
    });

    it('a Content-Digest that is not a structured field', async () => {
      const body = JSON.stringify({ name: 'digest' });
      const hex = createHash('sha256').update(body).digest('hex');
      expectSignatureError(await signed(hmac, { method: 'PATCH', body, headers: { 'content-digest': `sha-256=${hex}` } }), 'signature_content_digest_mismatch', /not a valid structured field/);
    });
  });

  describe('signature_created_out_of_window', () => {
    it('created 301 s before or after the server clock; 300 s is still inside', async () => {
      for (const created of [NOW - 301, NOW + 301, NOW - 3600, 0]) {
        const response = await signed(hmac, { params: signatureParams({ created, keyid: hmac.id, nonce: `w${++nonce}` }) });
        expectSignatureError(response, 'signature_created_out_of_window', new RegExp(`created=${created} is (older|later)`));
      }
      for (const created of [NOW - 300, NOW + 300]) {
        expect((await signed(hmac, { params: signatureParams({ created, keyid: hmac.id, nonce: `w${++nonce}` }) })).status).toBe(200);
        expect((await signed(ed, { params: signatureParams({ created, keyid: ed.id, nonce: `w${++nonce}` }) })).status).toBe(200);
      }
    });

    it("is judged by the server's clock, not the client's", async () => {
      // Signed now by the real clock: years before the server's frozen time.
      const headers = await librarySign({ method: 'GET', url: server.url + account(), headers: { authorization: `Bearer ${hmac.secret}` }, key: hmacKeyOf(hmac) });
      expectSignatureError(await send('GET', account(), headers), 'signature_created_out_of_window', /older/);
    });

    it('no created parameter', async () => {
      expectSignatureError(await signed(hmac, { params: signatureParams({ keyid: hmac.id, nonce: 'nocreated' }) }), 'signature_created_out_of_window', /no created parameter/);
      // created must be a number.
      expectSignatureError(await signed(hmac, { params: `;created="${NOW}";keyid="${hmac.id}"` }), 'signature_created_out_of_window');
    });

    it('an expires time that has passed', async () => {
      const response = await signed(hmac, { params: signatureParams({ created: NOW - 10, expires: NOW - 1, keyid: hmac.id }) });
      expectSignatureError(response, 'signature_created_out_of_window', new RegExp(`expired at ${NOW - 1}`));
      expect((await signed(hmac, { params: signatureParams({ created: NOW - 10, expires: NOW, keyid: hmac.id, nonce: 'exp' }) })).status).toBe(200);
    });
  });

  describe('signature_replayed', () => {
    it('the same signature twice, for either algorithm', async () => {
      for (const issued of [hmac, ed]) {
        let captured: Record<string, string> = {};
        const first = await signed(issued, { tamper: (h) => void (captured = { ...h }) });
        expect(first.status, first.text).toBe(200);
        expectSignatureError(await send('GET', account(), captured), 'signature_replayed', /already used/);
        // Headers the signature does not cover don't make it new.
        expectSignatureError(await send('GET', account(), { ...captured, 'user-agent': 'replayer/2.0', accept: 'text/plain' }), 'signature_replayed');
      }
    });

    it('the same signature bytes written as other base64 (its padding bits changed) are still a replay', async () => {
      let captured: Record<string, string> = {};
      expect((await signed(hmac, { tamper: (h) => void (captured = { ...h }) })).status).toBe(200);
      // 32 bytes are 43 base64 characters and "=": the last character carries 2 bits that decode to nothing.
      const match = /^(sig1=:)([A-Za-z0-9+/]{42})([A-Za-z0-9+/])(=:)$/.exec(captured['signature']!)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const last = alphabet[alphabet.indexOf(match[3]!) ^ 1]!;
      const rewritten = `${match[1]}${match[2]}${last}${match[4]}`;
      expect(rewritten).not.toBe(captured['signature']);
      expect(Buffer.from(rewritten.slice(6, -1), 'base64').equals(Buffer.from(captured['signature']!.slice(6, -1), 'base64'))).toBe(true);
      expectSignatureError(await send('GET', account(), { ...captured, signature: rewritten }), 'signature_replayed');
    });

    it('a replayed body-signed request does not act twice', async () => {
      const body = JSON.stringify({ name: 'Replayed once' });
      let captured: Record<string, string> = {};
      expect((await signed(hmac, { method: 'PATCH', body, tamper: (h) => void (captured = { ...h }) })).status).toBe(200);
      expectSignatureError(await send('PATCH', account(), captured, body), 'signature_replayed');
    });
  });

  describe('signature_invalid', () => {
    it('signed with the wrong HMAC key', async () => {
      const wrong: ClientSigningKey = { keyId: hmac.id, algorithm: 'hmac-sha256', secret: Buffer.from(`tsr_hk_sandbox_${randomBytes(24).toString('hex')}`) };
      expectSignatureError(await signed(hmac, { signWith: wrong }), 'signature_invalid', /does not verify/);
      expectSignatureError(await signed(hmac, { signWith: { ...hmacKeyOf(otherHmac), keyId: hmac.id } }), 'signature_invalid');
      // The HMAC key is the UTF-8 string, not some decoding of it.
      const decoded: ClientSigningKey = { keyId: hmac.id, algorithm: 'hmac-sha256', secret: Buffer.from((hmac.hmacKey as string).slice(15), 'utf8') };
      expectSignatureError(await signed(hmac, { signWith: decoded }), 'signature_invalid');
    });

    it('signed with another Ed25519 private key', async () => {
      expectSignatureError(await signed(ed, { signWith: ed25519KeyOf(ed.id, generateKeyPairSync('ed25519').privateKey) }), 'signature_invalid');
    });

    it('a covered header changed after signing', async () => {
      const response = await signed(hmac, { headers: { 'x-purpose': 'refund 10' }, components: ['@method', '@target-uri', 'x-purpose'], tamper: (h) => void (h['x-purpose'] = 'refund 1000') });
      expectSignatureError(response, 'signature_invalid');
      const ok = await signed(hmac, { headers: { 'x-purpose': 'refund 10' }, components: ['@method', '@target-uri', 'x-purpose'] });
      expect(ok.status, ok.text).toBe(200);
    });

    it("an alg that is not the key's", async () => {
      expectSignatureError(await signed(hmac, { params: signatureParams({ created: NOW, keyid: hmac.id, alg: 'ed25519' }) }), 'signature_invalid', /alg="ed25519" does not match/);
      expectSignatureError(await signed(ed, { params: signatureParams({ created: NOW, keyid: ed.id, alg: 'hmac-sha256' }) }), 'signature_invalid', /alg="hmac-sha256"/);
      expectSignatureError(await signed(hmac, { params: signatureParams({ created: NOW, keyid: hmac.id, alg: 'rsa-pss-sha512' }) }), 'signature_invalid');
    });

    it('a signature for another method or URL', async () => {
      expectSignatureError(await signed(hmac, { tamper: (h) => void (h.signature = handSign({ method: 'DELETE', url: server.url + account(), components: ['@method', '@target-uri'], params: signatureParams({ created: NOW, keyid: hmac.id, nonce: 'x' }), key: hmacKeyOf(hmac) }).signature) }), 'signature_invalid');
      const elsewhere = signatureParams({ created: NOW, keyid: hmac.id, nonce: 'elsewhere' });
      const forOtherUrl = handSign({ method: 'GET', url: `${server.url}/v1/accounts/${merchantId}/keys`, components: ['@method', '@target-uri'], params: elsewhere, key: hmacKeyOf(hmac) });
      expectSignatureError(await send('GET', account(), { authorization: `Bearer ${hmac.secret}`, ...forOtherUrl }), 'signature_invalid');
    });

    it('a Payload-Signature of other bytes', async () => {
      const body = JSON.stringify({ name: 'paid' });
      const hex = createHmac('sha256', payload.hmacKey as string).update(JSON.stringify({ name: 'pai' })).digest('hex');
      expectSignatureError(await send('PATCH', account(), { authorization: `Bearer ${payload.secret}`, 'content-type': 'application/json', 'payload-signature': hex }, body), 'signature_invalid');
    });
  });

  it('rate-limits after the signature: only correctly signed requests count', async () => {
    for (let i = 0; i < 3; i++) expectSignatureError(await send('GET', account(), { authorization: `Bearer ${limited.secret}` }), 'signature_missing');
    for (let i = 0; i < 3; i++) expectSignatureError(await signed(limited, { signWith: hmacKeyOf(hmac) }), 'signature_invalid');
    expect((await signed(limited)).status).toBe(200);
    expect((await signed(limited)).status).toBe(200);
    const third = await signed(limited);
    expectError(third, 429, 'rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    // The limit is the key's, not the signature's: another key is unaffected.
    expect((await signed(hmac)).status).toBe(200);
  });

  it('a request refused for its signature is not a use of the key', async () => {
    const fresh = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'restricted', permissions, generateHMAC: true });
    expectSignatureError(await send('GET', account(), { authorization: `Bearer ${fresh.secret}` }), 'signature_missing');
    expectSignatureError(await signed(fresh, { signWith: hmacKeyOf(hmac) }), 'signature_invalid');
    const view = () => api.get(`/v1/accounts/${merchantId}/keys/${fresh.id}`, { key: server.operatorKeys.sandbox });
    // Last-used times are flushed every 50 ms here: wait well past that.
    await new Promise((r) => setTimeout(r, 300));
    expect((await view()).body.lastUsedAt).toBeNull();
    expect((await signed(fresh)).status).toBe(200);
    await eventually(async () => expect((await view()).body.lastUsedAt).toBe(new Date(NOW * 1000).toISOString()));
  });

  it('a smaller TESSERA_SIGNATURE_TOLERANCE_SECONDS narrows the window', async () => {
    const narrow = await startTestServer({ now: () => NOW * 1000, env: { TESSERA_SIGNATURE_TOLERANCE_SECONDS: '30' } });
    try {
      const narrowApi = new Api(narrow.url);
      const id = await createAccount(narrowApi, narrow.operatorKeys.sandbox, { type: 'merchant', name: 'Narrow' });
      const key = await createKey(narrowApi, narrow.operatorKeys.sandbox, id, { kind: 'restricted', permissions: ['accounts.read'], generateHMAC: true });
      const at = (created: number) => {
        const path = `/v1/accounts/${id}`;
        const headers = { authorization: `Bearer ${key.secret}`, ...handSign({ method: 'GET', url: narrow.url + path, components: ['@method', '@target-uri'], params: signatureParams({ created, keyid: key.id }), key: hmacKeyOf(key) }) };
        return narrowApi.nodeRequest('GET', path, headers);
      };
      expect((await at(NOW - 30)).status).toBe(200);
      expect((await at(NOW + 30)).status).toBe(200);
      const late = await at(NOW - 31);
      expectError(late, 401, 'signature_created_out_of_window');
      expect(late.body.error.message).toContain('±30 s');
    } finally {
      await narrow.close();
    }
  });

  it('no answer, body or header, carried a signing secret or part of one', () => {
    expect(answers.length).toBeGreaterThan(80);
    const secrets = [hmac, otherHmac, payload, limited].map((k) => k.hmacKey as string);
    for (const response of answers) {
      const text = `${response.text}\n${[...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n')}`;
      for (const secret of secrets) {
        const random = secret.slice('tsr_hk_sandbox_'.length);
        for (const needle of [secret, random, random.slice(0, 20), random.slice(-20), Buffer.from(secret).toString('base64')]) expect(text).not.toContain(needle);
      }
    }
  });
});
