import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createKey } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { CARDS, completeSession, createSession, paymentsMerchant, REDIRECTS, tokenize, type PaymentsMerchant } from '../helpers/payments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Ozura's checkout sessions: created server-side, verified server-side, 30 minutes, paid once, "already paid".
describe('checkout sessions', () => {
  let server: TestServer;
  let api: Api;
  let clock = Date.parse('2031-03-01T10:00:00Z');
  let shop: PaymentsMerchant;
  const now = () => clock;

  beforeAll(async () => {
    server = await startTestServer({ now });
    api = new Api(server.url);
    shop = await paymentsMerchant(server, api, { name: 'Ticket Shop', live: true });
  });
  afterAll(() => server.close());

  const sandboxKey = () => shop.secret.secret;
  const pk = () => shop.publishable.secret;
  const balance = async (key = sandboxKey()) => (await api.get('/v1/balance', { key, headers: { 'content-type': 'application/json', 'user-agent': 'tests' } })).body.available as Array<{ currency: string; amount: number }>;

  it('creates a session with a secret key: an unguessable id, a checkout URL, 30 minutes to pay', async () => {
    const created = await createSession(api, sandboxKey(), { metadata: { orderId: 'o-1' } });
    expect(created).toMatchObject({
      object: 'checkout_session',
      environment: 'sandbox',
      status: 'pending',
      amount: 2500,
      currency: 'USD',
      description: 'Two tickets',
      successUrl: REDIRECTS.successUrl,
      cancelUrl: REDIRECTS.cancelUrl,
      errorUrl: REDIRECTS.errorUrl,
      metadata: { orderId: 'o-1' },
      paymentRequestId: null,
      completedAt: null,
    });
    // cs_ + 32 base62 characters: 190 random bits, at least the 128 the issue asks for.
    expect(created.id).toMatch(/^cs_[0-9A-Za-z]{32}$/);
    expect(Math.log2(62) * (created.id.length - 3)).toBeGreaterThanOrEqual(128);
    expect(created.checkoutUrl).toBe(`${server.url}/checkout/${created.id}`);
    expect(Date.parse(created.expiresAt) - Date.parse(created.createdAt)).toBe(30 * 60_000);
    expect(Date.parse(created.createdAt)).toBe(clock);
  });

  it('GET by id needs no key and shows status and amounts, nothing sensitive', async () => {
    const created = await createSession(api, sandboxKey(), { metadata: { customerEmail: 'a@example.com' } });
    const read = await api.get(`/v1/checkout/sessions/${created.id}`);
    expect(read.status, read.text).toBe(200);
    expect(Object.keys(read.body).sort()).toEqual(['amount', 'completedAt', 'createdAt', 'currency', 'description', 'environment', 'expiresAt', 'id', 'object', 'status'].sort());
    expect(read.text).not.toContain('a@example.com');
    expect(read.text).not.toContain('shop.example');
    expect(read.text).not.toContain(shop.id);
    expectError(await api.get(`/v1/checkout/sessions/cs_${'x'.repeat(32)}`), 404, 'resource_not_found', 'sessionId');
  });

  it('validation errors name the field: redirect URLs, amount, currency', async () => {
    const post = (body: Record<string, unknown>, key = sandboxKey()) => api.post('/v1/checkout/sessions', { amount: 100, currency: 'usd', ...REDIRECTS, ...body }, { key });
    expect((await post({})).status).toBe(201);
    expect((await post({ successUrl: 'http://localhost:3000/done', cancelUrl: 'http://127.0.0.1:8080/cart', errorUrl: 'http://localhost/x' })).status).toBe(201);
    expectError(await post({ successUrl: 'http://shop.example/done' }), 400, 'invalid_field', 'successUrl');
    expectError(await post({ cancelUrl: 'javascript:alert(1)' }), 400, 'invalid_field', 'cancelUrl');
    expectError(await post({ errorUrl: 'ftp://shop.example/' }), 400, 'invalid_field', 'errorUrl');
    expectError(await post({ successUrl: 'not a url' }), 400, 'invalid_field', 'successUrl');
    expectError(await post({ successUrl: 'https://user:pass@shop.example/' }), 400, 'invalid_field', 'successUrl');
    expectError(await post({ successUrl: undefined }), 400, 'missing_field', 'successUrl');
    // Live: HTTPS only, localhost included.
    expectError(await post({ successUrl: 'http://localhost:3000/done' }, shop.live!.secret.secret), 400, 'invalid_field', 'successUrl');
    expect((await post({}, shop.live!.secret.secret)).status).toBe(201);
    // Money: positive integers of minor units, an ISO 4217 currency we support, within the maximum.
    expectError(await post({ amount: 0 }), 400, 'invalid_field', 'amount');
    expectError(await post({ amount: -5 }), 400, 'invalid_field', 'amount');
    expectError(await post({ amount: 10.5 }), 400, 'invalid_field', 'amount');
    expectError(await post({ amount: '100' }), 400, 'invalid_field', 'amount');
    expectError(await post({ amount: 100_000_000 }), 400, 'invalid_field', 'amount');
    expectError(await post({ amount: 1e300 }), 400, 'invalid_field', 'amount');
    expectError(await post({ currency: 'XYZ' }), 400, 'invalid_field', 'currency');
    expectError(await post({ currency: 'US' }), 400, 'invalid_field', 'currency');
    expectError(await post({ amount: undefined }), 400, 'missing_field', 'amount');
    expectError(await post({ surprise: true }), 400, 'unknown_field', 'surprise');
    const yen = await post({ amount: 1500, currency: 'jpy' });
    expect(yen.body).toMatchObject({ amount: 1500, currency: 'JPY' });
  });

  it('permission: a restricted key needs checkout_sessions.create; a publishable key may not create sessions', async () => {
    const without = await createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'restricted', permissions: ['payment_requests.create'] });
    expectError(await api.post('/v1/checkout/sessions', { amount: 100, currency: 'USD', ...REDIRECTS }, { key: without.secret }), 403, 'permission_denied');
    expectError(await api.post('/v1/checkout/sessions', { amount: 100, currency: 'USD', ...REDIRECTS }, { key: pk() }), 403, 'permission_denied');
    const withIt = await createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'restricted', permissions: ['checkout_sessions.create'] });
    expect((await api.post('/v1/checkout/sessions', { amount: 100, currency: 'USD', ...REDIRECTS }, { key: withIt.secret })).status).toBe(201);
    expectError(await api.get('/v1/checkout/sessions', { key: withIt.secret }), 403, 'permission_denied');
    expectError(await api.post('/v1/checkout/sessions', { amount: 100, currency: 'USD', ...REDIRECTS }), 401, 'missing_credential');
  });

  it('an Idempotency-Key retry answers the first session, not a second one', async () => {
    const idem = { 'idempotency-key': randomUUID() };
    const body = { amount: 4200, currency: 'EUR', ...REDIRECTS };
    const first = await api.post('/v1/checkout/sessions', body, { key: sandboxKey(), headers: idem });
    const second = await api.post('/v1/checkout/sessions', body, { key: sandboxKey(), headers: idem });
    expect(first.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    expectError(await api.post('/v1/checkout/sessions', { ...body, amount: 4300 }, { key: sandboxKey(), headers: idem }), 409, 'idempotency_key_reused');
  });

  it('completes once with the success card; the payment request records it and the balance grows', async () => {
    const before = (await balance()).find((b) => b.currency === 'GBP')?.amount ?? 0;
    const session = await createSession(api, sandboxKey(), { amount: 1999, currency: 'GBP' });
    const done = await completeSession(api, session.id, await tokenize(api, pk(), CARDS.success, clock));
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ id: session.id, object: 'checkout_session', status: 'completed', redirectUrl: `${REDIRECTS.successUrl}?sessionId=${session.id}` });
    // Ozura: "verify payments server-side".
    const verified = await api.get(`/v1/checkout/sessions/${session.id}`);
    expect(verified.body).toMatchObject({ status: 'completed', completedAt: new Date(clock).toISOString() });
    const listed = (await api.get('/v1/checkout/sessions?limit=100', { key: sandboxKey() })).body.data.find((s: any) => s.id === session.id);
    expect(listed.paymentRequestId).toMatch(/^pr_/);
    expect(listed.paymentId).toMatch(/^pay_/);
    const pr = await api.get(`/v1/payment-requests/${listed.paymentRequestId}`, { key: sandboxKey() });
    expect(pr.body).toMatchObject({ method: 'checkout', status: 'succeeded', amount: 1999, currency: 'GBP', checkoutSessionId: session.id, card: { brand: 'visa', last4: '4242' }, failure: null });
    expect((await balance()).find((b) => b.currency === 'GBP')?.amount).toBe(before + 1999);

    // Paid is final: another card, another attempt, is refused and charges nothing.
    const again = await completeSession(api, session.id, await tokenize(api, pk(), CARDS.mastercard, clock));
    expectError(again, 409, 'checkout_session_completed', 'sessionId');
    expect((await balance()).find((b) => b.currency === 'GBP')?.amount).toBe(before + 1999);
  });

  it('concurrent completions of one session charge exactly one card', async () => {
    const before = (await balance()).find((b) => b.currency === 'AUD')?.amount ?? 0;
    const session = await createSession(api, sandboxKey(), { amount: 700, currency: 'AUD' });
    const tokens = await Promise.all(Array.from({ length: 12 }, () => tokenize(api, pk(), CARDS.success, clock)));
    const responses: ApiResponse[] = await Promise.all(tokens.map((token) => completeSession(api, session.id, token)));
    const ok = responses.filter((r) => r.status === 200);
    expect(ok.length, responses.map((r) => r.text).join('\n')).toBe(1);
    for (const r of responses) if (r.status !== 200) expectError(r, 409, 'checkout_session_completed');
    expect((await balance()).find((b) => b.currency === 'AUD')?.amount).toBe(before + 700);
    const checkoutRequests = (await api.get('/v1/payment-requests?limit=100', { key: sandboxKey() })).body.data.filter((p: any) => p.checkoutSessionId === session.id);
    expect(checkoutRequests).toHaveLength(1);
    // The losers' tokens were never used: their claim was rolled back with the rest.
    expect((await completeSession(api, (await createSession(api, sandboxKey())).id, tokens.find((_, i) => responses[i]!.status !== 200)!)).status).toBe(200);
  });

  it('a declined card leaves the session payable; a processor error too; then the success card pays', async () => {
    const session = await createSession(api, sandboxKey());
    const declined = await completeSession(api, session.id, await tokenize(api, pk(), CARDS.decline, clock));
    expectError(declined, 402, 'card_declined', 'token');
    expect(declined.body.error.message).toMatch(/declined/i);
    expectError(await completeSession(api, session.id, await tokenize(api, pk(), CARDS.insufficientFunds, clock)), 402, 'card_declined');
    expectError(await completeSession(api, session.id, await tokenize(api, pk(), CARDS.processingError, clock)), 402, 'processing_error');
    expect((await api.get(`/v1/checkout/sessions/${session.id}`)).body.status).toBe('pending');
    expect((await completeSession(api, session.id, await tokenize(api, pk(), CARDS.success, clock))).status).toBe(200);
  });

  it('tokens: another account’s is unknown, a used one is refused, a live one does not pay a sandbox session', async () => {
    const other = await paymentsMerchant(server, api, { name: 'Other' });
    const session = await createSession(api, sandboxKey());
    expectError(await completeSession(api, session.id, await tokenize(api, other.publishable.secret, CARDS.success, clock)), 404, 'resource_not_found', 'token');
    expectError(await completeSession(api, session.id, await tokenize(api, shop.live!.publishable.secret, CARDS.success, clock)), 404, 'resource_not_found', 'token');
    const token = await tokenize(api, pk(), CARDS.decline, clock);
    expectError(await completeSession(api, session.id, token), 402, 'card_declined');
    expectError(await completeSession(api, session.id, token), 409, 'card_token_used', 'token');
    expectError(await completeSession(api, session.id, 'tok_nothing'), 404, 'resource_not_found', 'token');
    expectError(await api.post(`/v1/checkout/sessions/${session.id}/complete`, {}), 400, 'missing_field', 'token');
    expect((await api.get(`/v1/checkout/sessions/${session.id}`)).body.status).toBe('pending');
  });

  it('expires 30 minutes after creation: shown expired, can not be paid (frozen clock)', async () => {
    const session = await createSession(api, sandboxKey());
    clock += 29 * 60_000;
    const token = await tokenize(api, pk(), CARDS.success, clock);
    clock += 60_000 - 1;
    expect((await api.get(`/v1/checkout/sessions/${session.id}`)).body.status).toBe('pending');
    clock += 1;
    expect((await api.get(`/v1/checkout/sessions/${session.id}`)).body.status).toBe('expired');
    expectError(await completeSession(api, session.id, token), 409, 'checkout_session_expired', 'sessionId');
    // The token was not spent on an expired session.
    const fresh = await createSession(api, sandboxKey());
    expect((await completeSession(api, fresh.id, token)).status).toBe(200);
    // The sweep records expiry for sessions nobody looked at.
    const unseen = await createSession(api, sandboxKey());
    clock += 31 * 60_000;
    await server.tessera.payments.housekeeping();
    const listed = (await api.get('/v1/checkout/sessions?limit=100', { key: sandboxKey() })).body.data.find((s: any) => s.id === unseen.id);
    expect(listed.status).toBe('expired');
    // Each expiry was recorded once, with its webhook event.
    const events = (await api.get(`/v1/accounts/${shop.id}/events?limit=200`, { key: sandboxKey() })).body.data as Array<{ type: string; data: any }>;
    const expired = events.filter((e) => e.type === 'checkout.session.expired').map((e) => e.data.object.id);
    expect(expired.filter((id) => id === session.id)).toHaveLength(1);
    expect(expired.filter((id) => id === unseen.id)).toHaveLength(1);
  });

  it('environment isolation: a sandbox session is invisible to live keys and to live-pinned requests', async () => {
    const session = await createSession(api, sandboxKey());
    const liveSession = await createSession(api, shop.live!.secret.secret);
    expect(liveSession.environment).toBe('live');
    expectError(await api.get(`/live/v1/checkout/sessions/${session.id}`), 404, 'resource_not_found');
    expect((await api.get(`/sandbox/v1/checkout/sessions/${session.id}`)).status).toBe(200);
    expectError(await api.post(`/live/v1/checkout/sessions/${session.id}/complete`, { token: await tokenize(api, pk(), CARDS.success, clock) }), 404, 'resource_not_found', 'sessionId');
    expect((await api.get(`/live/checkout/${session.id}`)).status).toBe(404);
    const liveList = (await api.get('/v1/checkout/sessions?limit=100', { key: shop.live!.secret.secret })).body.data.map((s: any) => s.id);
    expect(liveList).toContain(liveSession.id);
    expect(liveList).not.toContain(session.id);
    const sandboxList = (await api.get('/v1/checkout/sessions?limit=100', { key: sandboxKey() })).body.data.map((s: any) => s.id);
    expect(sandboxList).not.toContain(liveSession.id);
  });

  it('lists newest first, a page at a time', async () => {
    const other = await paymentsMerchant(server, api, { name: 'Pager' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await createSession(api, other.secret.secret)).id);
      clock += 1;
    }
    const first = await api.get('/v1/checkout/sessions?limit=2', { key: other.secret.secret });
    expect(first.body.data.map((s: any) => s.id)).toEqual([ids[4], ids[3]]);
    const second = await api.get(`/v1/checkout/sessions?limit=2&before=${first.body.nextCursor}`, { key: other.secret.secret });
    expect(second.body.data.map((s: any) => s.id)).toEqual([ids[2], ids[1]]);
    const last = await api.get(`/v1/checkout/sessions?limit=2&before=${second.body.nextCursor}`, { key: other.secret.secret });
    expect(last.body.data.map((s: any) => s.id)).toEqual([ids[0]]);
    expect(last.body.nextCursor).toBeNull();
  });

  it('the OpenAPI document has every payments path of the API map; the public ones need no key', async () => {
    const doc = (await api.get('/openapi.json')).body;
    const expected: Array<[string, string]> = [
      ['/v1/checkout/sessions', 'post'],
      ['/v1/checkout/sessions', 'get'],
      ['/v1/checkout/sessions/{sessionId}', 'get'],
      ['/v1/checkout/sessions/{sessionId}/complete', 'post'],
      ['/checkout/{sessionId}', 'get'],
      ['/v1/tokens', 'post'],
      ['/v1/payment-requests', 'post'],
      ['/v1/payment-requests', 'get'],
      ['/v1/payment-requests/{paymentRequestId}', 'get'],
      ['/v1/payment-requests/{paymentRequestId}/refunds', 'post'],
      ['/v1/cashouts', 'post'],
      ['/v1/cashouts', 'get'],
      ['/v1/cashouts/{cashoutId}', 'get'],
      ['/v1/balance', 'get'],
      ['/v1/deposits', 'post'],
      ['/v1/deposits/{depositId}/approve', 'post'],
    ];
    for (const [path, method] of expected) expect(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    expect(doc.paths['/v1/checkout/sessions/{sessionId}'].get.security).toBeUndefined();
    expect(doc.paths['/v1/tokens'].post.description).toContain('card_tokens.create');
    expect(doc.paths['/v1/checkout/sessions'].post.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['amount', 'currency', 'successUrl', 'cancelUrl']));
  });

  it('records checkout.session.completed and payment.succeeded events in the outbox', async () => {
    const session = await createSession(api, sandboxKey(), { amount: 321 });
    expect((await completeSession(api, session.id, await tokenize(api, pk(), CARDS.success, clock))).status).toBe(200);
    const events = (await api.get(`/v1/accounts/${shop.id}/events?limit=50`, { key: sandboxKey() })).body.data as Array<{ type: string; data: any }>;
    const completed = events.find((e) => e.type === 'checkout.session.completed' && e.data.object.id === session.id);
    expect(completed?.data.object).toMatchObject({ status: 'completed', amount: 321 });
    expect(events.some((e) => e.type === 'payment.succeeded' && e.data.object.checkoutSessionId === session.id)).toBe(true);
  });
});

// Ozura: "Both are required": the operator configures session creation to need the vault key and the merchant key at once.
describe('checkout sessions behind two credentials (Ozura)', () => {
  let server: TestServer;
  let api: Api;

  beforeAll(async () => {
    const routes = [{ method: 'POST', url: '/v1/checkout/sessions', credentials: [{ header: 'x-api-key', kind: 'secret' }, { header: 'x-ozura-api-key', kind: 'restricted' }] }];
    server = await startTestServer({ env: { TESSERA_TWO_CREDENTIAL_ROUTES: JSON.stringify(routes) } });
    api = new Api(server.url);
  });
  afterAll(() => server.close());

  it('creates a session only with both keys of one account', async () => {
    const shop = await paymentsMerchant(server, api, { name: 'Ozura merchant' });
    const merchantKey = await createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'restricted', permissions: ['checkout_sessions.create'] });
    const body = { amount: 1000, currency: 'USD', ...REDIRECTS };
    const both = await api.post('/v1/checkout/sessions', body, { headers: { 'x-api-key': shop.secret.secret, 'x-ozura-api-key': merchantKey.secret } });
    expect(both.status, both.text).toBe(201);
    expect((await api.get(`/v1/checkout/sessions/${both.body.id}`)).body.status).toBe('pending');
    expectError(await api.post('/v1/checkout/sessions', body, { headers: { 'x-api-key': shop.secret.secret } }), 401, 'missing_credential', 'x-ozura-api-key');
    const other = await paymentsMerchant(server, api, { name: 'Someone else' });
    expectError(await api.post('/v1/checkout/sessions', body, { headers: { 'x-api-key': other.secret.secret, 'x-ozura-api-key': merchantKey.secret } }), 403, 'credential_account_mismatch');
  });
});
