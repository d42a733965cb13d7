import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createKey } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { cardBody, CARDS, completeSession, createSession, paymentsMerchant, tokenize, type PaymentsMerchant } from '../helpers/payments.js';
import { secretDigest } from '../../src/domain/digest.js';
import { dumpRows, findSecrets, rawFiles } from '../helpers/database-dump.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Ansa's client secret: minted by the merchant's server, good for one object's customer-facing calls, for minutes.
describe('client secrets', () => {
  let server: TestServer;
  let api: Api;
  let clock = Date.now();
  let shop: PaymentsMerchant;
  let other: PaymentsMerchant;
  const minted: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ now: () => clock });
    api = new Api(server.url);
    shop = await paymentsMerchant(server, api, { name: 'Shop' });
    other = await paymentsMerchant(server, api, { name: 'Other' });
  });
  afterAll(() => server.close());

  async function mint(objectType: string, objectId: string, key = shop.secret.secret, extra: Record<string, unknown> = {}) {
    const response = await api.post('/v1/client-secrets', { objectType, objectId, ...extra }, { key });
    if (response.status === 201) minted.push(response.body.clientSecret);
    return response;
  }

  async function payByLink(key = shop.secret.secret) {
    const response = await api.post('/v1/payment-requests', { amount: 1500, currency: 'USD', payByLink: true }, { key });
    expect(response.status, response.text).toBe(201);
    return response.body;
  }

  it('mints {brand}_cs_{env}_… for an open checkout session, valid 15 minutes by default', async () => {
    const session = await createSession(api, shop.secret.secret);
    const response = await mint('checkout_session', session.id);
    expect(response.status, response.text).toBe(201);
    expect(response.body.clientSecret).toMatch(/^tsr_cs_sandbox_[0-9A-Za-z]{39}$/);
    expect(response.body).toMatchObject({ object: 'client_secret', objectType: 'checkout_session', objectId: session.id, environment: 'sandbox' });
    expect(Date.parse(response.body.expiresAt) - clock).toBe(15 * 60_000);
    // It tokenizes the customer's card, which then pays its session.
    const token = await api.post('/v1/tokens', cardBody(CARDS.success, clock), { key: response.body.clientSecret });
    expect(token.status, token.text).toBe(201);
    expect((await completeSession(api, session.id, token.body.id)).status).toBe(200);
    // The session completed: its client secret is dead.
    expectError(await api.post('/v1/tokens', cardBody(CARDS.success, clock), { key: response.body.clientSecret }), 401, 'credential_revoked');
  });

  it("reads its own payment request only; other objects are 404, lists and every other operation refused", async () => {
    const mine = await payByLink();
    const theirs = await payByLink();
    const secret = (await mint('payment_request', mine.id)).body.clientSecret as string;
    const own = await api.get(`/v1/payment-requests/${mine.id}`, { key: secret });
    expect(own.status, own.text).toBe(200);
    expect(own.body.id).toBe(mine.id);
    expectError(await api.get(`/v1/payment-requests/${theirs.id}`, { key: secret }), 404, 'resource_not_found');
    expectError(await api.get('/v1/payment-requests', { key: secret }), 403, 'permission_denied');
    expectError(await api.post('/v1/payment-requests', { amount: 1, currency: 'USD', payByLink: true }, { key: secret }), 403, 'permission_denied');
    expectError(await api.get(`/v1/accounts/${shop.id}`, { key: secret }), 403, 'permission_denied');
    expectError(await api.post(`/v1/payment-requests/${mine.id}/refunds`, {}, { key: secret }), 403, 'permission_denied');
  });

  it('expires after its ttl (at most 60 minutes) by the server clock', async () => {
    const session = await createSession(api, shop.secret.secret);
    expectError(await mint('checkout_session', session.id, shop.secret.secret, { ttlSeconds: 3601 }), 400, 'invalid_field', 'ttlSeconds');
    const secret = (await mint('checkout_session', session.id, shop.secret.secret, { ttlSeconds: 120 })).body.clientSecret as string;
    expect((await api.post('/v1/tokens', cardBody(CARDS.success, clock), { key: secret })).status).toBe(201);
    clock += 121_000;
    expectError(await api.post('/v1/tokens', cardBody(CARDS.success, clock), { key: secret }), 401, 'credential_expired');
  });

  it('dies when the key that minted it is disabled or deleted', async () => {
    const minter = await createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'secret', name: 'minter' });
    const request = await payByLink();
    const secret = (await mint('payment_request', request.id, minter.secret)).body.clientSecret as string;
    expect((await api.get(`/v1/payment-requests/${request.id}`, { key: secret })).status).toBe(200);
    await api.patch(`/v1/accounts/${shop.id}/keys/${minter.id}`, { enabled: false }, { key: server.operatorKeys.sandbox });
    expectError(await api.get(`/v1/payment-requests/${request.id}`, { key: secret }), 401, 'credential_revoked');
    await api.patch(`/v1/accounts/${shop.id}/keys/${minter.id}`, { enabled: true }, { key: server.operatorKeys.sandbox });
    expect((await api.get(`/v1/payment-requests/${request.id}`, { key: secret })).status).toBe(200);
    await api.delete(`/v1/accounts/${shop.id}/keys/${minter.id}`, { key: server.operatorKeys.sandbox });
    expectError(await api.get(`/v1/payment-requests/${request.id}`, { key: secret }), 401, 'credential_revoked');
  });

  it('is minted only by a server key, for an open object of its own account and environment', async () => {
    const session = await createSession(api, shop.secret.secret);
    expectError(await mint('checkout_session', session.id, shop.publishable.secret), 403, 'permission_denied');
    const reader = await createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'restricted', permissions: ['payment_requests.read'] });
    expectError(await mint('checkout_session', session.id, reader.secret), 403, 'permission_denied');
    const minterOnly = await createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'restricted', permissions: ['client_secrets.create'] });
    expect((await mint('checkout_session', session.id, minterOnly.secret)).status).toBe(201);
    expectError(await mint('checkout_session', session.id, other.secret.secret), 404, 'resource_not_found', 'objectId');
    expectError(await mint('payment_request', 'pr_doesnotexist000000000', shop.secret.secret), 404, 'resource_not_found', 'objectId');
    expectError(await api.post('/v1/client-secrets', { objectType: 'refund', objectId: session.id }, { key: shop.secret.secret }), 400, 'invalid_field', 'objectType');
    const paid = await createSession(api, shop.secret.secret);
    await completeSession(api, paid.id, await tokenize(api, shop.publishable.secret, CARDS.success, clock));
    expectError(await mint('checkout_session', paid.id), 400, 'invalid_field', 'objectId');
  });

  it('is stored as a digest: no client secret in the database in clear', async () => {
    expect(minted.length).toBeGreaterThan(3);
    const dump = (await dumpRows(server.env)).rows.map((r) => r.text).join('\n');
    expect(findSecrets(dump, minted)).toEqual([]);
    // What is kept instead: each secret's digest.
    for (const secret of minted) expect(dump).toContain(secretDigest(secret));
    for (const [file, text] of rawFiles(server.env.TESSERA_DATA_DIR!)) expect(findSecrets(text, minted), file).toEqual([]);
  });
});
