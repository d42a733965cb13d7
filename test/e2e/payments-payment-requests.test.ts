import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createKey, type IssuedKey } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { CARDS, completeSession, paymentsMerchant, tokenize, type PaymentsMerchant } from '../helpers/payments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Azupay's POST/paymentRequest and POST/paymentRequest/refund, each its own permission.
describe('payment requests and refunds', () => {
  let server: TestServer;
  let api: Api;
  let clock = Date.parse('2031-06-01T12:00:00Z');
  let shop: PaymentsMerchant;

  beforeAll(async () => {
    server = await startTestServer({ now: () => clock });
    api = new Api(server.url);
    shop = await paymentsMerchant(server, api, { live: true });
  });
  afterAll(() => server.close());

  const key = () => shop.secret.secret;
  const pk = () => shop.publishable.secret;
  async function charge(amount: number, currency = 'USD', number: string = CARDS.success, apiKey = key(), headers: Record<string, string> = {}): Promise<ApiResponse> {
    const token = await tokenize(api, apiKey === shop.live?.secret.secret ? shop.live.publishable.secret : pk(), number, clock);
    return api.post('/v1/payment-requests', { amount, currency, token, description: 'Order 7', metadata: { order: '7' } }, { key: apiKey, headers });
  }
  const refund = (id: string, body?: Record<string, unknown>, apiKey = key(), headers: Record<string, string> = {}) =>
    api.request('POST', `/v1/payment-requests/${id}/refunds`, { key: apiKey, headers, ...(body !== undefined && { body }) });

  it('charges a card token now and records the outcome; re-reading shows the same thing', async () => {
    const created = await charge(5000, 'EUR');
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^pr_/),
      object: 'payment_request',
      environment: 'sandbox',
      amount: 5000,
      currency: 'EUR',
      description: 'Order 7',
      metadata: { order: '7' },
      method: 'card',
      status: 'succeeded',
      amountRefunded: 0,
      card: { brand: 'visa', last4: '4242' },
      failure: null,
      paymentId: expect.stringMatching(/^pay_/),
      paymentUrl: null,
      refunds: [],
    });
    const read = await api.get(`/v1/payment-requests/${created.body.id}`, { key: key() });
    expect(read.body).toEqual(created.body);
    const declined = await charge(5000, 'EUR', CARDS.decline);
    expect(declined.status).toBe(201);
    expect(declined.body).toMatchObject({ status: 'failed', failure: { code: 'card_declined' }, card: { last4: '0002' } });
    expect((await api.get(`/v1/payment-requests/${declined.body.id}`, { key: key() })).body).toEqual(declined.body);
    expect((await charge(100, 'EUR', CARDS.processingError)).body.failure.code).toBe('processing_error');
  });

  it('lists newest first, a page at a time', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) {
      clock += 1;
      ids.push((await charge(100 + i)).body.id);
    }
    const page = await api.get('/v1/payment-requests?limit=2', { key: key() });
    expect(page.body.data.map((p: any) => p.id)).toEqual([ids[2], ids[1]]);
    const next = await api.get(`/v1/payment-requests?limit=1&before=${page.body.nextCursor}`, { key: key() });
    expect(next.body.data.map((p: any) => p.id)).toEqual([ids[0]]);
  });

  it('pay-by-link: a paymentUrl on the hosted page, paid there; the request succeeds', async () => {
    const created = await api.post('/v1/payment-requests', { amount: 2599, currency: 'AUD', payByLink: true, successUrl: 'https://shop.example/thanks', expiresInSeconds: 3600 }, { key: key() });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ method: 'link', status: 'pending', card: null, expiresAt: new Date(clock + 3600_000).toISOString() });
    expect(created.body.paymentUrl).toBe(`${server.url}/checkout/${created.body.checkoutSessionId}`);
    const page = await api.get(new URL(created.body.paymentUrl).pathname);
    expect(page.text).toContain('AUD 25.99');
    const sessionId = created.body.checkoutSessionId as string;
    const declined = await completeSession(api, sessionId, await tokenize(api, pk(), CARDS.decline, clock));
    expectError(declined, 402, 'card_declined');
    expect((await api.get(`/v1/payment-requests/${created.body.id}`, { key: key() })).body).toMatchObject({ status: 'pending', failure: { code: 'card_declined' } });
    const paid = await completeSession(api, sessionId, await tokenize(api, pk(), CARDS.success, clock));
    expect(paid.body.redirectUrl).toBe(`https://shop.example/thanks?sessionId=${sessionId}`);
    expect((await api.get(`/v1/payment-requests/${created.body.id}`, { key: key() })).body).toMatchObject({ status: 'succeeded', failure: null, card: { last4: '4242' } });
    // A link past its expiry can't be paid.
    const short = await api.post('/v1/payment-requests', { amount: 100, currency: 'AUD', payByLink: true, expiresInSeconds: 300 }, { key: key() });
    clock += 300_000;
    expect((await api.get(`/v1/payment-requests/${short.body.id}`, { key: key() })).body.status).toBe('expired');
    expectError(await completeSession(api, short.body.checkoutSessionId, await tokenize(api, pk(), CARDS.success, clock)), 409, 'checkout_session_expired');
  });

  it('validation names the field', async () => {
    const token = await tokenize(api, pk(), CARDS.success, clock);
    const post = (body: Record<string, unknown>, apiKey = key()) => api.post('/v1/payment-requests', { amount: 100, currency: 'USD', ...body }, { key: apiKey });
    expectError(await post({}), 400, 'missing_field', 'token');
    expectError(await post({ token, payByLink: true }), 400, 'invalid_field', 'payByLink');
    expectError(await post({ token, amount: 0 }), 400, 'invalid_field', 'amount');
    expectError(await post({ token, amount: 1.5 }), 400, 'invalid_field', 'amount');
    expectError(await post({ token, currency: 'ABC' }), 400, 'invalid_field', 'currency');
    expectError(await post({ token, successUrl: 'https://shop.example/' }), 400, 'invalid_field', 'successUrl');
    expectError(await post({ payByLink: true, successUrl: 'http://shop.example/' }), 400, 'invalid_field', 'successUrl');
    expectError(await post({ payByLink: true, expiresInSeconds: 10 }), 400, 'invalid_field', 'expiresInSeconds');
    expectError(await post({ payByLink: true, cancelUrl: 'http://localhost:3000/' }, shop.live!.secret.secret), 400, 'invalid_field', 'cancelUrl');
    expectError(await post({ token: 'tok_unknown' }), 404, 'resource_not_found', 'token');
    // Nothing was charged by the refused requests: the token still pays.
    expect((await post({ token })).body.status).toBe('succeeded');
    expectError(await post({ token }), 409, 'card_token_used', 'token');
  });

  it('an Idempotency-Key retry answers the first request: one charge, the token used once', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    const token = await tokenize(api, pk(), CARDS.success, clock);
    const body = { amount: 777, currency: 'USD', token };
    const first = await api.post('/v1/payment-requests', body, { key: key(), headers });
    const second = await api.post('/v1/payment-requests', body, { key: key(), headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    const r1 = await refund(first.body.id, { amount: 7 }, key(), { 'idempotency-key': 'refund-777' });
    const r2 = await refund(first.body.id, { amount: 7 }, key(), { 'idempotency-key': 'refund-777' });
    expect(r2.body.id).toBe(r1.body.id);
    expect((await api.get(`/v1/payment-requests/${first.body.id}`, { key: key() })).body.amountRefunded).toBe(7);
  });

  it('refunds all or part, never more than captured; statuses follow', async () => {
    const pr = (await charge(1000)).body;
    const partial = await refund(pr.id, { amount: 300, reason: 'one item back' });
    expect(partial.status, partial.text).toBe(201);
    expect(partial.body).toMatchObject({ id: expect.stringMatching(/^re_/), object: 'refund', amount: 300, currency: 'USD', reason: 'one item back', status: 'succeeded', paymentRequestId: pr.id, paymentId: pr.paymentId });
    expect((await api.get(`/v1/payment-requests/${pr.id}`, { key: key() })).body).toMatchObject({ status: 'partially_refunded', amountRefunded: 300, refunds: [{ id: partial.body.id, amount: 300 }] });
    const tooMuch = await refund(pr.id, { amount: 701 });
    expectError(tooMuch, 409, 'refund_exceeds_captured', 'amount');
    expect(tooMuch.body.error.message).toContain('7.00');
    const rest = await refund(pr.id);
    expect(rest.body.amount).toBe(700);
    expect((await api.get(`/v1/payment-requests/${pr.id}`, { key: key() })).body).toMatchObject({ status: 'refunded', amountRefunded: 1000 });
    const events = (await api.get(`/v1/accounts/${shop.id}/events?limit=200`, { key: key() })).body.data as Array<{ type: string; data: any }>;
    const refunded = events.filter((e) => e.type === 'payment.refunded' && e.data.object.id === pr.id);
    expect(refunded.map((e) => e.data.refund.amount).sort()).toEqual([300, 700]);
    expect(events.some((e) => e.type === 'payment.succeeded' && e.data.object.id === pr.id)).toBe(true);
    expectError(await refund(pr.id, { amount: 1 }), 409, 'payment_not_refundable');
    expectError(await refund((await charge(1000, 'USD', CARDS.decline)).body.id), 409, 'payment_not_refundable');
    expectError(await refund(pr.id, { amount: 0 }), 400, 'invalid_field', 'amount');
    expectError(await refund('pr_unknown'), 404, 'resource_not_found', 'paymentRequestId');
  });

  it('concurrent refunds never exceed what was captured', async () => {
    const pr = (await charge(1000, 'NZD')).body;
    const responses = await Promise.all(Array.from({ length: 10 }, () => refund(pr.id, { amount: 300 })));
    const ok = responses.filter((r) => r.status === 201);
    expect(ok.length, responses.map((r) => r.text).join('\n')).toBe(3);
    for (const r of responses) if (r.status !== 201) expectError(r, 409, 'refund_exceeds_captured');
    const after = (await api.get(`/v1/payment-requests/${pr.id}`, { key: key() })).body;
    expect(after.amountRefunded).toBe(900);
    expect(after.refunds.reduce((sum: number, r: any) => sum + r.amount, 0)).toBe(900);
    expect(after.status).toBe('partially_refunded');
  });

  it('each is its own permission: a restricted key may hold one without the other', async () => {
    const restricted = (permissions: string[]): Promise<IssuedKey> => createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'restricted', permissions });
    const payOnly = await restricted(['payment_requests.create']);
    const refundOnly = await restricted(['refunds.create']);
    const readOnly = await restricted(['payment_requests.read']);
    const token = await tokenize(api, pk(), CARDS.success, clock);
    const created = await api.post('/v1/payment-requests', { amount: 500, currency: 'USD', token }, { key: payOnly.secret });
    expect(created.status, created.text).toBe(201);
    expectError(await refund(created.body.id, { amount: 1 }, payOnly.secret), 403, 'permission_denied');
    expectError(await api.get(`/v1/payment-requests/${created.body.id}`, { key: payOnly.secret }), 403, 'permission_denied');
    expect((await refund(created.body.id, { amount: 1 }, refundOnly.secret)).status).toBe(201);
    expectError(await api.post('/v1/payment-requests', { amount: 500, currency: 'USD', payByLink: true }, { key: refundOnly.secret }), 403, 'permission_denied');
    expect((await api.get(`/v1/payment-requests/${created.body.id}`, { key: readOnly.secret })).body.amountRefunded).toBe(1);
    expectError(await refund(created.body.id, { amount: 1 }, readOnly.secret), 403, 'permission_denied');
    expectError(await api.get('/v1/payment-requests', { key: pk() }), 403, 'permission_denied');
  });

  it('environment isolation: a sandbox key can not read or refund a live payment request, nor the reverse', async () => {
    const live = await charge(900, 'USD', CARDS.success, shop.live!.secret.secret);
    expect(live.body.environment).toBe('live');
    const sandbox = (await charge(900)).body;
    expectError(await api.get(`/v1/payment-requests/${live.body.id}`, { key: key() }), 404, 'resource_not_found');
    expectError(await refund(live.body.id, { amount: 1 }), 404, 'resource_not_found');
    expectError(await api.get(`/v1/payment-requests/${sandbox.id}`, { key: shop.live!.secret.secret }), 404, 'resource_not_found');
    expect((await api.get('/v1/payment-requests?limit=100', { key: key() })).body.data.map((p: any) => p.id)).not.toContain(live.body.id);
    expect((await api.get('/v1/payment-requests?limit=100', { key: shop.live!.secret.secret })).body.data.map((p: any) => p.id)).toEqual([live.body.id]);
    // Another account's payment request is not found either.
    const other = await paymentsMerchant(server, api, { name: 'Other' });
    expectError(await api.get(`/v1/payment-requests/${sandbox.id}`, { key: other.secret.secret }), 404, 'resource_not_found');
  });

  it('disabling the key that created them leaves payment requests untouched: readable, refundable, links still payable', async () => {
    const creator = await createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'restricted', permissions: ['payment_requests.create'] });
    const token = await tokenize(api, pk(), CARDS.success, clock);
    const card = (await api.post('/v1/payment-requests', { amount: 1200, currency: 'USD', token }, { key: creator.secret })).body;
    const link = (await api.post('/v1/payment-requests', { amount: 1300, currency: 'USD', payByLink: true }, { key: creator.secret })).body;
    const disabled = await api.patch(`/v1/accounts/${shop.id}/keys/${creator.id}`, { enabled: false }, { key: server.operatorKeys.sandbox });
    expect(disabled.status).toBe(200);
    expectError(await api.post('/v1/payment-requests', { amount: 1, currency: 'USD', payByLink: true }, { key: creator.secret }), 401, 'credential_disabled');
    expect((await api.get(`/v1/payment-requests/${card.id}`, { key: key() })).body).toEqual(card);
    expect((await completeSession(api, link.checkoutSessionId, await tokenize(api, pk(), CARDS.success, clock))).status).toBe(200);
    expect((await api.get(`/v1/payment-requests/${link.id}`, { key: key() })).body.status).toBe('succeeded');
    expect((await refund(card.id, { amount: 200 })).status).toBe(201);
  });
});
