import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** A raw HTTP exchange over a socket, for bytes no HTTP client would send. */
function rawExchange(url: string, request: Buffer | string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error('no answer within 5 s'));
    });
    socket.write(request);
  });
}

function parseRawResponse(text: string): { status: number; headers: Map<string, string>; body: any } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head!.split('\r\n');
  const headers = new Map(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine!.split(' ')[1]), headers, body: JSON.parse(rest.join('\r\n\r\n')) };
}

// SPEC: bad input of any kind gets a 4xx that names the field, never a 5xx,
// and leaves nothing half-written.
describe('bad input', () => {
  let server: TestServer;
  let api: Api;
  let operator: string;
  let merchantId: string;
  let keysPath: string;
  let existingKeyId: string;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    operator = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, operator, { type: 'merchant', name: 'Shop' });
    keysPath = `/v1/accounts/${merchantId}/keys`;
    existingKeyId = (await createKey(api, operator, merchantId, { kind: 'secret', name: 'existing' })).id;
  });
  afterAll(() => server.close());

  /** Everything a bad create could have half-written: the key list and the audit log. */
  async function snapshot(): Promise<string> {
    const keys = await api.get(`${keysPath}?includeDeleted=true`, { key: operator });
    const audit = await api.get(`/v1/accounts/${merchantId}/audit-events?limit=200`, { key: operator });
    expect(keys.status).toBe(200);
    expect(audit.status).toBe(200);
    return JSON.stringify({ keys: keys.body.data, audit: audit.body.data });
  }

  function expectCleanError(response: ApiResponse, status: number, code: string, param?: string): void {
    expect(response.status, response.text).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body.error).toMatchObject({ code, request_id: response.headers.get('request-id') });
    expect(typeof response.body.error.type).toBe('string');
    expect(typeof response.body.error.message).toBe('string');
    if (param !== undefined) expect(response.body.error.param).toBe(param);
    // No stack trace, no file names, no internals.
    expect(response.text).not.toMatch(/\s+at\s+\S+\s+\(|node_modules|\.ts:\d+|\.js:\d+|Error:/);
  }

  /** A create that must fail, and must leave the account exactly as it was. */
  async function badCreate(send: () => Promise<ApiResponse>, status: number, code: string, param?: string): Promise<ApiResponse> {
    const before = await snapshot();
    const response = await send();
    expectCleanError(response, status, code, param);
    expect(await snapshot(), 'a refused create left something behind').toBe(before);
    return response;
  }

  const post = (body: unknown) => () => api.post(keysPath, body, { key: operator });
  const postRaw = (raw: string | Buffer, contentType: string | null = 'application/json') => () =>
    api.nodeRequest('POST', keysPath, { authorization: `Bearer ${operator}`, ...(contentType !== null && { 'content-type': contentType }) }, raw);

  it('wrong types name the field', async () => {
    await badCreate(post({ kind: 'secret', name: 123 }), 400, 'invalid_field', 'name');
    await badCreate(post({ kind: 'nope' }), 400, 'invalid_field', 'kind');
    await badCreate(post({ kind: 42 }), 400, 'invalid_field', 'kind');
    await badCreate(post({ kind: 'restricted', permissions: 'x' }), 400, 'invalid_field', 'permissions');
    await badCreate(post({ kind: 'restricted', permissions: [1] }), 400, 'invalid_field', 'permissions[0]');
    await badCreate(post({ kind: 'secret', rateLimit: { requests: -1, windowSeconds: 10 } }), 400, 'invalid_field', 'rateLimit.requests');
    await badCreate(post({ kind: 'secret', rateLimit: { requests: 10, windowSeconds: 1.5 } }), 400, 'invalid_field', 'rateLimit.windowSeconds');
    await badCreate(post({ kind: 'secret', rateLimit: 'fast' }), 400, 'invalid_field', 'rateLimit');
    await badCreate(post({ kind: 'secret', environment: 'production' }), 400, 'invalid_field', 'environment');
    await badCreate(post({ kind: 'secret', metadata: { a: 1 } }), 400, 'invalid_field', 'metadata.a');
    await badCreate(post({ kind: 'secret', metadata: ['a'] }), 400, 'invalid_field', 'metadata');
    await badCreate(post({ kind: 'secret', name: '' }), 400, 'invalid_field', 'name');
    await badCreate(post({ kind: 'secret', name: 'x'.repeat(101) }), 400, 'invalid_field', 'name');
    await badCreate(post({ kind: 'secret', expiresAt: 'tomorrow' }), 400, 'invalid_field', 'expiresAt');
    const permissionsError = await badCreate(post({ kind: 'restricted', permissions: ['keys.explode'] }), 400, 'unknown_operation', 'permissions');
    expect(permissionsError.body.error.message).toContain('keys.explode');
    expect(permissionsError.body.error.message).toContain('keys.create');
    await badCreate(post({ kind: 'restricted' }), 400, 'missing_field', 'permissions');
    await badCreate(post({ kind: 'secret', permissions: ['keys.read'] }), 400, 'invalid_field', 'permissions');
    const message = (await badCreate(post({ kind: 'secret', name: 123 }), 400, 'invalid_field', 'name')).body.error.message;
    expect(message).toContain('name');
  });

  it('a body that is not an object is refused', async () => {
    for (const body of ['[1,2]', 'null', '"text"', '42', 'true']) await badCreate(postRaw(body), 400, 'invalid_request', 'body');
  });

  it('unknown fields: 400 unknown_field naming the field', async () => {
    const response = await badCreate(post({ kind: 'secret', bogus: 1 }), 400, 'unknown_field', 'bogus');
    expect(response.body.error.message).toContain('bogus');
    await badCreate(post({ kind: 'secret', rateLimit: { requests: 1, windowSeconds: 1, burst: 2 } }), 400, 'unknown_field', 'rateLimit.burst');
    await badCreate(post({ kind: 'secret', secret: 'tsr_sk_sandbox_mine' }), 400, 'unknown_field', 'secret');
  });

  it('missing kind: 400 missing_field naming kind', async () => {
    await badCreate(post({ name: 'no kind' }), 400, 'missing_field', 'kind');
    await badCreate(post({}), 400, 'missing_field', 'kind');
    const account = await api.post('/v1/accounts', { name: 'no type' }, { key: operator });
    expectCleanError(account, 400, 'missing_field', 'type');
  });

  it('broken JSON: 400 invalid_json, and the message never echoes the body', async () => {
    const planted = 'tsr_sk_sandbox_Zq8XhY2mWv4KpL9TnR3sB7cD1fG5jE0aU6iO2yQk';
    const bodies = [
      `{"kind": "secret", "name": ${planted}}`,
      `{"kind": "secret", "name": "${planted}"`,
      `${planted}`,
      `{"kind": "secret", "metadata": {"k": "${planted}",}}`,
      `{'kind': '${planted}'}`,
    ];
    for (const body of bodies) {
      const response = await badCreate(postRaw(body), 400, 'invalid_json');
      expect(response.text).not.toContain(planted);
      expect(response.text).not.toContain(planted.slice(15, 30));
      expect(response.text).not.toContain('Zq8XhY2');
    }
    // Nor does the log.
    expect(server.logs.join('\n')).not.toContain('Zq8XhY2');
  });

  it('invalid UTF-8 in a JSON body: 400 invalid_utf8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"kind":"secret","name":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]);
    await badCreate(postRaw(bytes), 400, 'invalid_utf8');
    // A lone surrogate half encoded as bytes (CESU-8), which lenient decoders accept.
    await badCreate(postRaw(Buffer.concat([Buffer.from('{"kind":"secret","name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])), 400, 'invalid_utf8');
    // Overlong encoding of "/".
    await badCreate(postRaw(Buffer.concat([Buffer.from('{"kind":"secret","name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])), 400, 'invalid_utf8');
  });

  it('an oversized body: 413 body_too_large at the default limit of 1 MiB', async () => {
    const over = JSON.stringify({ kind: 'secret', name: 'x'.repeat(1024 * 1024) });
    await badCreate(postRaw(over), 413, 'body_too_large');
    // Just under the limit, the body is read and judged on its content instead.
    const under = JSON.stringify({ kind: 'secret', name: 'x'.repeat(1024 * 1024 - 100) });
    expect(Buffer.byteLength(under)).toBeLessThan(1024 * 1024);
    await badCreate(postRaw(under), 400, 'invalid_field', 'name');
  });

  it('the body limit comes from TESSERA_BODY_LIMIT_BYTES', async () => {
    const small = await startTestServer({ env: { TESSERA_BODY_LIMIT_BYTES: '2048' } });
    try {
      const smallApi = new Api(small.url);
      const id = await createAccount(smallApi, small.operatorKeys.sandbox, { type: 'merchant', name: 'Small' });
      const big = await smallApi.post(`/v1/accounts/${id}/keys`, { kind: 'secret', metadata: { note: 'x'.repeat(480), a: 'x'.repeat(480), b: 'x'.repeat(480), c: 'x'.repeat(480), d: 'x'.repeat(480) } }, { key: small.operatorKeys.sandbox });
      expectCleanError(big, 413, 'body_too_large');
      const fine = await smallApi.post(`/v1/accounts/${id}/keys`, { kind: 'secret', metadata: { note: 'x'.repeat(480) } }, { key: small.operatorKeys.sandbox });
      expect(fine.status, fine.text).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('a wrong Content-Type: 415 unsupported_media_type naming Content-Type', async () => {
    const body = JSON.stringify({ kind: 'secret' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json', 'application/jsonx']) {
      await badCreate(postRaw(body, type), 415, 'unsupported_media_type', 'Content-Type');
    }
    // A body without any Content-Type is not taken for JSON either.
    await badCreate(postRaw(body, null), 415, 'unsupported_media_type', 'Content-Type');
  });

  it('JSON with a charset or a +json suffix is JSON', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON', 'application/merge-patch+json']) {
      const response = await postRaw(JSON.stringify({ kind: 'secret', name: type }), type)();
      expect(response.status, `${type}: ${response.text}`).toBe(201);
    }
  });

  it('an empty body with Content-Type JSON: 400 invalid_json', async () => {
    await badCreate(postRaw(''), 400, 'invalid_json');
    await badCreate(postRaw('   '), 400, 'invalid_json');
  });

  it('__proto__ and constructor.prototype keys: 400, and nothing polluted', async () => {
    const proto = await badCreate(postRaw('{"kind":"secret","__proto__":{"isAdmin":true}}'), 400, 'invalid_json');
    expect(proto.body.error.message).toContain('__proto__');
    await badCreate(postRaw('{"kind":"secret","metadata":{"__proto__":{"x":"y"}}}'), 400, 'invalid_json');
    await badCreate(postRaw('{"kind":"secret","constructor":{"prototype":{"isAdmin":true}}}'), 400, 'invalid_json');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('malformed HTTP header bytes: 400 in the JSON envelope, with a request id', async () => {
    const requests = [
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n`,
      `POST ${keysPath} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${operator}\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`,
      `\x00\x01\x02 garbage\r\n\r\n`,
    ];
    for (const request of requests) {
      const before = await snapshot();
      const response = parseRawResponse(await rawExchange(server.url, request));
      expect(response.status, JSON.stringify(request)).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_header' });
      expect(response.body.error.request_id).toBe(response.headers.get('request-id'));
      expect(response.body.error.request_id).toMatch(/^req_/);
      expect(await snapshot()).toBe(before);
    }
    // The server is still there.
    expect((await api.get('/healthz')).status).toBe(200);
  });

  it('a malformed URL path: 400 in the envelope with a request id, never quoting the path', async () => {
    const planted = 'tsr_sk_sandbox_Zq8XhY2mWv4KpL9TnR3sB7cD1fG5jE0aU6iO2yQk';
    for (const path of ['/v1/accounts/%zz', `/v1/accounts/%E0%A4%A/keys`, '/nope/%', `/v1/accounts/${planted}%`, `/live/v1/accounts/%/keys`]) {
      const response = await api.nodeRequest('GET', path, { authorization: `Bearer ${operator}` });
      expectCleanError(response, 400, 'invalid_request', 'path');
      expect(response.text).not.toContain('Zq8XhY2');
    }
    // A path segment longer than any id is refused the same way, not with a bare 414.
    expectCleanError(await api.get(`/v1/accounts/${'a'.repeat(300)}`, { key: operator }), 400, 'invalid_request', 'path');
  });

  it('a secret pasted into the path is not echoed by the error', async () => {
    const planted = 'tsr_sk_sandbox_Zq8XhY2mWv4KpL9TnR3sB7cD1fG5jE0aU6iO2yQk';
    for (const path of [`/v1/accounts/${planted}`, `${keysPath}/${planted}`, `/nowhere/${planted}`]) {
      const response = await api.get(path, { key: operator });
      expect(response.status).toBe(404);
      expect(response.text).not.toContain('Zq8XhY2');
      expect(response.body.error.message).toContain('tsr_sk_sandbox_');
    }
  });

  it('a malformed HEAD request gets its 400 without a body', async () => {
    const text = await rawExchange(server.url, 'HEAD /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n');
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/\r\nrequest-id: req_/i);
    expect(body).toBe('');
  });

  it('bad query parameters name the parameter', async () => {
    const audit = `/v1/accounts/${merchantId}/audit-events`;
    expectCleanError(await api.get(`${audit}?limit=abc`, { key: operator }), 400, 'invalid_field', 'limit');
    expectCleanError(await api.get(`${audit}?limit=0`, { key: operator }), 400, 'invalid_field', 'limit');
    expectCleanError(await api.get(`${audit}?limit=100000`, { key: operator }), 400, 'invalid_field', 'limit');
    expectCleanError(await api.get(`${audit}?limit=1.5`, { key: operator }), 400, 'invalid_field', 'limit');
    expectCleanError(await api.get(`${audit}?from=yesterday`, { key: operator }), 400, 'invalid_field', 'from');
    expectCleanError(await api.get(`${audit}?before=not-a-cursor`, { key: operator }), 400, 'invalid_field', 'before');
    expectCleanError(await api.get(`${audit}?sort=asc`, { key: operator }), 400, 'unknown_field', 'sort');
    expectCleanError(await api.get(`${keysPath}?includeDeleted=maybe`, { key: operator }), 400, 'invalid_field', 'includeDeleted');
  });

  it('expiresAt in the past: 400 naming expiresAt', async () => {
    const response = await badCreate(post({ kind: 'secret', expiresAt: '2001-01-01T00:00:00Z' }), 400, 'invalid_field', 'expiresAt');
    expect(response.body.error.message).toContain('expiresAt');
    await badCreate(post({ kind: 'secret', expiresAt: new Date(Date.now() - 1000).toISOString() }), 400, 'invalid_field', 'expiresAt');
  });

  it('metadata over 20 keys, or with over-long keys or values: 400 naming metadata', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    await badCreate(post({ kind: 'secret', metadata }), 400, 'invalid_field', 'metadata');
    await badCreate(post({ kind: 'secret', metadata: { ['k'.repeat(41)]: 'v' } }), 400, 'invalid_field', 'metadata');
    await badCreate(post({ kind: 'secret', metadata: { k: 'v'.repeat(501) } }), 400, 'invalid_field', 'metadata.k');
    // 20 is fine.
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v']));
    expect((await api.post(keysPath, { kind: 'secret', metadata: twenty }, { key: operator })).status).toBe(201);
  });

  it('bad updates and rolls change nothing', async () => {
    const keyPath = `${keysPath}/${existingKeyId}`;
    const cases: Array<[() => Promise<ApiResponse>, number, string, string | undefined]> = [
      [() => api.patch(keyPath, { enabled: 'no' }, { key: operator }), 400, 'invalid_field', 'enabled'],
      [() => api.patch(keyPath, { enabled: false, bogus: true }, { key: operator }), 400, 'unknown_field', 'bogus'],
      [() => api.patch(keyPath, { enabled: false, permissions: ['keys.read'] }, { key: operator }), 400, 'permissions_immutable', 'permissions'],
      [() => api.patch(keyPath, { enabled: false, kind: 'publishable' }, { key: operator }), 400, 'field_immutable', 'kind'],
      [() => api.post(`${keyPath}/roll`, { gracePeriodSeconds: -1 }, { key: operator }), 400, 'invalid_field', 'gracePeriodSeconds'],
      [() => api.post(`${keyPath}/roll`, { gracePeriodSeconds: 604801 }, { key: operator }), 400, 'invalid_field', 'gracePeriodSeconds'],
      [() => api.post(`${keyPath}/roll`, { gracePeriodSeconds: '60' }, { key: operator }), 400, 'invalid_field', 'gracePeriodSeconds'],
      [() => api.nodeRequest('POST', `${keyPath}/roll`, { authorization: `Bearer ${operator}`, 'content-type': 'application/json' }, '{"gracePeriodSeconds": 6'), 400, 'invalid_json', undefined],
    ];
    for (const [send, status, code, param] of cases) {
      const before = await snapshot();
      expectCleanError(await send(), status, code, param);
      expect(await snapshot()).toBe(before);
    }
    const key = await api.get(keyPath, { key: operator });
    expect(key.body).toMatchObject({ enabled: true, name: 'existing', kind: 'secret' });
  });

  it('no bad input produced a 5xx or an unhandled error in the log', () => {
    const errors = server.logs.filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
    expect(server.logs.some((line) => /"status":5\d\d/.test(line))).toBe(false);
  });
});
