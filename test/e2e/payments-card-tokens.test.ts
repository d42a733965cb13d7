import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createKey } from '../helpers/fixtures.js';
import { expectError, openDirectDatabase } from '../helpers/management.js';
import { cardBody, CARDS, completeSession, createSession, futureExpiry, paymentsMerchant, tokenize, type PaymentsMerchant } from '../helpers/payments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Ozura's vault: a publishable key turns card data into a token, from the browser; nothing but brand and last 4 leaves.
describe('card tokens and the hosted checkout page', () => {
  let server: TestServer;
  let api: Api;
  let clock = Date.parse('2031-05-10T08:00:00Z');
  let shop: PaymentsMerchant;
  const SHOP_ORIGIN = 'https://shop.example';

  beforeAll(async () => {
    server = await startTestServer({ now: () => clock });
    api = new Api(server.url);
    shop = await paymentsMerchant(server, api, { name: 'Café <Ünïcode> & Co', live: true });
    const patched = await api.patch(`/v1/accounts/${shop.id}`, { allowedOrigins: [SHOP_ORIGIN] }, { key: server.operatorKeys.sandbox });
    expect(patched.status, patched.text).toBe(200);
  });
  afterAll(() => server.close());

  const pk = () => shop.publishable.secret;
  const post = (body: Record<string, unknown>, headers: Record<string, string> = {}, key = pk()) => api.post('/v1/tokens', body, { key, headers });

  it('answers a token with brand and last 4, and nothing else of the card', async () => {
    const response = await post(cardBody('4242 4242 4242 4242', clock));
    expect(response.status, response.text).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^tok_[0-9A-Za-z]{22}$/),
      object: 'card_token',
      environment: 'sandbox',
      card: { brand: 'visa', last4: '4242' },
      used: false,
      createdAt: new Date(clock).toISOString(),
      expiresAt: new Date(clock + 15 * 60_000).toISOString(),
    });
    expect(response.text).not.toContain('424242424242');
    expect(response.text).not.toMatch(/"cvc"|"expMonth"|"expYear"|"number"/);
    expect((await post(cardBody(CARDS.mastercard, clock))).body.card).toEqual({ brand: 'mastercard', last4: '4444' });
    expect((await post(cardBody(CARDS.amex, clock, '1234'))).body.card).toEqual({ brand: 'amex', last4: '0005' });
  });

  it('validation names the field and never echoes the number', async () => {
    const expiry = futureExpiry(clock);
    const bad = async (body: Record<string, unknown>, param: string, code = 'invalid_field') => {
      const response = await post(body);
      expectError(response, 400, code, param);
      expect(response.text).not.toContain('4242424242424241');
      expect(response.text).not.toContain('4242424242424242');
    };
    await bad({ number: '4242424242424241', ...expiry, cvc: '123' }, 'number'); // Luhn
    await bad({ number: '4242-4242-abcd-4242', ...expiry, cvc: '123' }, 'number');
    await bad({ number: '42424242', ...expiry, cvc: '123' }, 'number');
    await bad({ number: 4242424242424242, ...expiry, cvc: '123' }, 'number');
    await bad({ number: '4242424242424242', expMonth: 13, expYear: expiry.expYear, cvc: '123' }, 'expMonth');
    await bad({ number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' }, 'expYear'); // the server clock is in 2031
    await bad({ number: '4242424242424242', expMonth: 4, expYear: 2031, cvc: '123' }, 'expMonth'); // April 2031 is over in May
    await bad({ number: '4242424242424242', ...expiry, cvc: '12' }, 'cvc');
    await bad({ number: '4242424242424242', ...expiry, cvc: '1234' }, 'cvc');
    await bad({ number: CARDS.amex, ...expiry, cvc: '123' }, 'cvc');
    await bad({ number: '4242424242424242', ...expiry }, 'cvc', 'missing_field');
    await bad({ number: '4242424242424242', ...expiry, cvc: '123', name: 'x' }, 'name', 'unknown_field');
    // The card's own month is still good.
    expect((await post({ number: '4242424242424242', expMonth: 5, expYear: 2031, cvc: '123' })).status).toBe(201);
  });

  it('works from the browser: CORS for the account’s allowed origins; other origins and secret keys are refused', async () => {
    const preflight = await api.request('OPTIONS', '/v1/tokens', { headers: { origin: SHOP_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const fromShop = await post(cardBody(CARDS.success, clock), { origin: SHOP_ORIGIN });
    expect(fromShop.status, fromShop.text).toBe(201);
    expect(fromShop.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expectError(await post(cardBody(CARDS.success, clock), { origin: 'https://evil.example' }), 403, 'origin_not_allowed');
    expectError(await post(cardBody(CARDS.success, clock), { origin: SHOP_ORIGIN }, shop.secret.secret), 403, 'secret_key_in_browser');
    // Tessera's own origin, where the hosted checkout page is served, is accepted without being listed.
    const fromCheckoutPage = await post(cardBody(CARDS.success, clock), { origin: new URL(server.url).origin });
    expect(fromCheckoutPage.status, fromCheckoutPage.text).toBe(201);
    expectError(await post(cardBody(CARDS.success, clock), { origin: new URL(server.url).origin }, shop.secret.secret), 403, 'secret_key_in_browser');
  });

  it('a token is single-use and expires after 15 minutes (frozen clock)', async () => {
    const token = await tokenize(api, pk(), CARDS.success, clock);
    expect((await completeSession(api, (await createSession(api, shop.secret.secret)).id, token)).status).toBe(200);
    expectError(await completeSession(api, (await createSession(api, shop.secret.secret)).id, token), 409, 'card_token_used', 'token');
    const stale = await tokenize(api, pk(), CARDS.success, clock);
    clock += 15 * 60_000;
    expectError(await completeSession(api, (await createSession(api, shop.secret.secret)).id, stale), 409, 'card_token_expired', 'token');
    // The sweep erases the sealed card of an expired token; brand and last 4 stay.
    const db = await openDirectDatabase(server, { readonly: true });
    try {
      expect((await db.query<{ card_sealed: string | null }>('select card_sealed from card_tokens where id = ?', [stale]))[0]!.card_sealed).toMatch(/^mk1\./);
      await server.tessera.payments.housekeeping();
      expect(await db.query('select card_sealed, brand, last4 from card_tokens where id = ?', [stale])).toEqual([{ card_sealed: null, brand: 'visa', last4: '4242' }]);
    } finally {
      await db.close();
    }
  });

  it('concurrent uses of one token: exactly one charge', async () => {
    const token = await tokenize(api, pk(), CARDS.success, clock);
    const responses = await Promise.all(Array.from({ length: 10 }, () => api.post('/v1/payment-requests', { amount: 100, currency: 'USD', token }, { key: shop.secret.secret })));
    expect(responses.filter((r) => r.status === 201), responses.map((r) => r.text).join('\n')).toHaveLength(1);
    for (const r of responses) if (r.status !== 201) expectError(r, 409, 'card_token_used', 'token');
  });

  it('an Idempotency-Key retry answers the same token', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    const first = await post(cardBody(CARDS.success, clock), headers);
    const second = await post(cardBody(CARDS.success, clock), headers);
    expect(first.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    expectError(await post(cardBody(CARDS.mastercard, clock), headers), 409, 'idempotency_key_reused');
  });

  it('environment isolation: a sandbox token does not pay a live session', async () => {
    const liveSession = await createSession(api, shop.live!.secret.secret);
    expectError(await completeSession(api, liveSession.id, await tokenize(api, pk(), CARDS.success, clock)), 404, 'resource_not_found', 'token');
    const liveToken = await post(cardBody(CARDS.success, clock), {}, shop.live!.publishable.secret);
    expect(liveToken.body.environment).toBe('live');
    expect((await completeSession(api, liveSession.id, liveToken.body.id)).status).toBe(200);
  });

  it('permission: tokens are public (publishable keys); a restricted key may too, a publishable key may do nothing else', async () => {
    const restricted = await createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'restricted', permissions: ['balance.read'] });
    expect((await post(cardBody(CARDS.success, clock), {}, restricted.secret)).status).toBe(201);
    expectError(await api.post('/v1/payment-requests', { amount: 100, currency: 'USD', payByLink: true }, { key: pk() }), 403, 'permission_denied');
    expectError(await api.post('/v1/tokens', cardBody(CARDS.success, clock)), 401, 'missing_credential');
  });

  it('the hosted page shows merchant and amount, carries a publishable key of the account, and is locked down', async () => {
    const session = await createSession(api, shop.secret.secret, { amount: 123456, currency: 'USD', description: 'Order <#42>' });
    const page = await api.get(`/checkout/${session.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    expect(page.text).toContain('USD 1,234.56');
    expect(page.text).toContain('Café &lt;Ünïcode&gt; &amp; Co');
    expect(page.text).toContain('Order &lt;#42&gt;');
    expect(page.text).not.toContain('<#42>');
    expect(page.text).toMatch(/<label for="card-number">/);
    expect(page.text).toContain('data-state="pending"');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // The key the page uses: an ordinary publishable key of the account, listed with its keys, that tokenizes from the page's origin.
    const config = JSON.parse(/<script type="application\/json" id="checkout-config">(.*?)<\/script>/s.exec(page.text)![1]!);
    expect(config.publishableKey).toMatch(/^tsr_pk_sandbox_/);
    const keys = (await api.get(`/v1/accounts/${shop.id}/keys`, { key: server.operatorKeys.sandbox })).body.data as Array<{ kind: string; name: string; last4: string }>;
    const managed = keys.filter((k) => k.name === 'Hosted checkout (managed by Tessera)');
    expect(managed).toHaveLength(1);
    expect(managed[0]).toMatchObject({ kind: 'publishable', last4: config.publishableKey.slice(-4) });
    const token = await post(cardBody(CARDS.success, clock), { origin: new URL(server.url).origin }, config.publishableKey);
    expect(token.status).toBe(201);
    expect((await completeSession(api, session.id, token.body.id)).status).toBe(200);

    const paid = await api.get(`/checkout/${session.id}`);
    expect(paid.text).toContain('data-state="completed"');
    expect(paid.text).toMatch(/already paid/i);
    expect(JSON.parse(/id="checkout-config">(.*?)<\/script>/s.exec(paid.text)![1]!).publishableKey).toBeNull();
    const missing = await api.get(`/checkout/cs_${'Z'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('data-state="not_found"');
  });

  it('if the account deletes the page’s key, the next session gets a new one', async () => {
    const other = await paymentsMerchant(server, api, { name: 'Rekey' });
    await createSession(api, other.secret.secret);
    const keysPath = `/v1/accounts/${other.id}/keys`;
    const managed = async () => ((await api.get(keysPath, { key: server.operatorKeys.sandbox })).body.data as Array<{ id: string; name: string }>).filter((k) => k.name.startsWith('Hosted checkout'));
    const [first] = await managed();
    expect((await api.delete(`${keysPath}/${first!.id}`, { key: server.operatorKeys.sandbox })).status).toBe(200);
    const session = await createSession(api, other.secret.secret);
    const [second] = await managed();
    expect(second!.id).not.toBe(first!.id);
    const config = JSON.parse(/id="checkout-config">(.*?)<\/script>/s.exec((await api.get(`/checkout/${session.id}`)).text)![1]!);
    expect((await post(cardBody(CARDS.success, clock), {}, config.publishableKey)).status).toBe(201);
  });
});
