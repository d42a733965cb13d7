import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createAccount } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Health, readiness, metrics, the API description and the envelope of every answer.
describe('operational endpoints', () => {
  let server: TestServer;
  let api: Api;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
  });
  afterAll(() => server.close());

  it('GET /healthz and /readyz answer 200 without a credential', async () => {
    const health = await api.get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  it('GET /metrics is Prometheus text with request counts, a latency histogram and auth outcomes', async () => {
    // Something to count: a success and a refusal.
    expect((await api.get('/v1/operations', { key: server.operatorKeys.sandbox })).status).toBe(200);
    expect((await api.get('/v1/operations')).status).toBe(401);
    const metrics = await api.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = metrics.text;
    expect(text).toContain('# TYPE tessera_http_requests_total counter');
    expect(text).toMatch(/^tessera_http_requests_total\{method="GET",route="\/v1\/operations",status="200"\} [1-9]\d*$/m);
    expect(text).toMatch(/^tessera_http_requests_total\{method="GET",route="\/v1\/operations",status="401"\} [1-9]\d*$/m);
    expect(text).toContain('# TYPE tessera_http_request_duration_seconds histogram');
    expect(text).toMatch(/^tessera_http_request_duration_seconds_bucket\{method="GET",route="\/v1\/operations",le="\+Inf"\} [1-9]\d*$/m);
    expect(text).toMatch(/^tessera_http_request_duration_seconds_sum\{method="GET",route="\/v1\/operations"\} [\d.e-]+$/m);
    expect(text).toMatch(/^tessera_http_request_duration_seconds_count\{method="GET",route="\/v1\/operations"\} [1-9]\d*$/m);
    expect(text).toContain('# TYPE tessera_auth_outcomes_total counter');
    expect(text).toMatch(/^tessera_auth_outcomes_total\{outcome="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(/^tessera_auth_outcomes_total\{outcome="missing_credential"\} [1-9]\d*$/m);
    // Buckets are cumulative: each one at least the one before.
    const buckets = [...text.matchAll(/^tessera_http_request_duration_seconds_bucket\{method="GET",route="\/v1\/operations",le="[^"]+"\} (\d+)$/gm)].map((m) => Number(m[1]));
    expect(buckets.length).toBeGreaterThan(3);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
    // Every sample line parses as Prometheus text: name{labels} value.
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? ([-+\d.eE]+|NaN|[+-]Inf)$/);
    }
  });

  it('GET /openapi.json is OpenAPI 3.1.0 with every path of the API map built so far, and request body schemas', async () => {
    const response = await api.get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = response.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    const expected: Array<[string, string]> = [
      ['/v1/accounts', 'post'],
      ['/v1/accounts', 'get'],
      ['/v1/accounts/{accountId}', 'get'],
      ['/v1/accounts/{accountId}/keys', 'post'],
      ['/v1/accounts/{accountId}/keys', 'get'],
      ['/v1/accounts/{accountId}/keys/{keyId}', 'get'],
      ['/v1/accounts/{accountId}/keys/{keyId}', 'patch'],
      ['/v1/accounts/{accountId}/keys/{keyId}', 'delete'],
      ['/v1/accounts/{accountId}/keys/{keyId}/roll', 'post'],
      ['/v1/accounts/{accountId}/audit-events', 'get'],
      ['/v1/operations', 'get'],
      ['/v1/keys/verify', 'post'],
      ['/healthz', 'get'],
      ['/readyz', 'get'],
      ['/metrics', 'get'],
    ];
    for (const [path, method] of expected) {
      expect(doc.paths[path], path).toBeDefined();
      expect(doc.paths[path][method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
    const bodySchema = (path: string, method: string) => doc.paths[path][method].requestBody?.content?.['application/json']?.schema;
    expect(bodySchema('/v1/accounts', 'post').properties).toHaveProperty('type');
    expect(bodySchema('/v1/accounts', 'post').properties).toHaveProperty('name');
    const createKey = bodySchema('/v1/accounts/{accountId}/keys', 'post');
    expect(createKey.required).toContain('kind');
    expect(createKey.properties.kind.enum).toEqual(expect.arrayContaining(['secret', 'restricted', 'publishable']));
    for (const field of ['environment', 'name', 'permissions', 'expiresAt', 'rateLimit', 'metadata']) expect(createKey.properties, field).toHaveProperty(field);
    expect(createKey.additionalProperties).toBe(false);
    expect(bodySchema('/v1/accounts/{accountId}/keys/{keyId}', 'patch').properties).toHaveProperty('enabled');
    expect(bodySchema('/v1/accounts/{accountId}/keys/{keyId}/roll', 'post').properties).toHaveProperty('gracePeriodSeconds');
    expect(bodySchema('/v1/keys/verify', 'post').properties).toHaveProperty('credential');
    // Protected routes say how to authenticate; the schemes exist.
    expect(doc.paths['/v1/accounts/{accountId}/keys'].post.security).toEqual(expect.arrayContaining([{ bearer: [] }]));
    expect(Object.keys(doc.components.securitySchemes)).toEqual(expect.arrayContaining(['bearer', 'basic', 'apiKey']));
    // A secret appears in a create's answer only: the schema says so, and the list says nothing of secrets.
    const listed = doc.paths['/v1/accounts/{accountId}/keys'].get.responses['200'].content['application/json'].schema.properties.data.items;
    expect(Object.keys(listed.properties)).toContain('redactedSecret');
    expect(Object.keys(listed.properties)).not.toContain('secret');
    expect(JSON.stringify(doc.paths['/v1/accounts/{accountId}/keys'].post.responses['201'])).toContain('"secret"');
  });

  it('GET /docs serves an HTML page', async () => {
    const response = await api.get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.text).toMatch(/<html/i);
  });

  it('GET /v1/operations lists every operation with a name and description', async () => {
    const response = await api.get('/v1/operations', { key: server.operatorKeys.sandbox });
    expect(response.status).toBe(200);
    expect(response.body.object).toBe('list');
    const names = response.body.data.map((op: { name: string }) => op.name);
    for (const name of ['operations.list', 'accounts.create', 'accounts.read', 'keys.create', 'keys.read', 'keys.update', 'keys.roll', 'keys.delete', 'audit_events.read', 'keys.verify']) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
    for (const op of response.body.data) {
      expect(op.name).toMatch(/^[a-z_]+\.[a-z_]+$/);
      expect(typeof op.description).toBe('string');
      expect(op.description.length).toBeGreaterThan(5);
    }
  });

  it('every answer carries a request-id header, each one different, echoed in error bodies', async () => {
    const accountId = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'Ids' });
    const responses = [
      await api.get('/healthz'),
      await api.get('/healthz'),
      await api.get('/metrics'),
      await api.get('/openapi.json'),
      await api.get(`/v1/accounts/${accountId}`, { key: server.operatorKeys.sandbox }),
      await api.get(`/v1/accounts/${accountId}`),
      await api.get('/no/such/route'),
      await api.post(`/v1/accounts/${accountId}/keys`, { kind: 'nope' }, { key: server.operatorKeys.sandbox }),
      await api.request('POST', '/v1/accounts', { key: server.operatorKeys.sandbox, raw: '{', headers: { 'content-type': 'application/json' } }),
      await api.get(`/v1/accounts/acct_doesnotexist0000000`, { key: server.operatorKeys.sandbox }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 401, 404, 400, 400, 404]);
    const ids = responses.map((r) => r.headers.get('request-id'));
    for (const id of ids) expect(id).toMatch(/^req_[0-9A-Za-z]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of responses.filter((r) => r.status >= 400)) expect(r.body.error.request_id).toBe(r.headers.get('request-id'));
  });

  it('an unknown route answers 404 route_not_found in the JSON envelope, whatever the method', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/v1/nope'],
      ['DELETE', '/v1/accounts'],
      ['PUT', '/v1/accounts/acct_x/keys'],
    ] as const) {
      const response = await api.request(method, path, { key: server.operatorKeys.sandbox });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        error: { type: 'not_found_error', code: 'route_not_found', message: expect.stringContaining(path), request_id: response.headers.get('request-id') },
      });
    }
  });
});
