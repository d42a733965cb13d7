import { createHash } from 'node:crypto';
import { createSigner, httpbis } from 'http-message-signatures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createKey, type IssuedKey } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { CARDS, ONEKEY_HEADERS, oneKeyGet, paymentsMerchant, payloadSignature, signedPost, tokenize, type PaymentsMerchant } from '../helpers/payments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// OneKey's cashouts: signed requests only, mandatory headers, a balance, "Insufficient Funds", STG deposits.
describe('cashouts, balance and deposits', () => {
  let server: TestServer;
  let api: Api;
  let shop: PaymentsMerchant;
  /** The merchant's cashout key: OneKey's API Key + API Signature (Payload-Signature). */
  let signing: IssuedKey;
  let liveSigning: IssuedKey;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    shop = await paymentsMerchant(server, api, { live: true });
    signing = await createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'secret', generateHMAC: true, signatureScheme: 'payload-signature', name: 'Cashouts' });
    liveSigning = await createKey(api, server.operatorKeys.live, shop.id, { kind: 'secret', generateHMAC: true, signatureScheme: 'payload-signature', name: 'Cashouts live' });
  });
  afterAll(() => server.close());

  const beneficiary = { name: 'Ana Souza', accountNumber: 'BR1500000000000010932840814P2' };
  const cashout = (amount: number, key = signing, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => signedPost(api, '/v1/cashouts', key, { amount, currency: 'USD', beneficiary, ...extra }, headers);
  const available = async (currency = 'USD', key = signing): Promise<number> => {
    const response = await oneKeyGet(api, '/v1/balance', key);
    expect(response.status, response.text).toBe(200);
    return (response.body.available as Array<{ currency: string; amount: number }>).find((b) => b.currency === currency)?.amount ?? 0;
  };
  async function fund(amount: number, currency = 'USD', key = signing): Promise<void> {
    const deposit = await signedPost(api, '/v1/deposits', key, { amount, currency });
    expect(deposit.status, deposit.text).toBe(201);
    const approved = await signedPost(api, `/v1/deposits/${deposit.body.id}/approve`, key, {});
    expect(approved.status, approved.text).toBe(200);
  }

  it('"Insufficient Funds" on an empty balance; a deposit, once approved, funds it; then the cashout is paid', async () => {
    expect(await available()).toBe(0);
    const short = await cashout(1000);
    expectError(short, 402, 'insufficient_funds', 'amount');
    expect(short.body.error.message).toMatch(/Insufficient Funds/);
    expect(short.body.error.message).toMatch(/deposit/);

    const deposit = await signedPost(api, '/v1/deposits', signing, { amount: 5000, currency: 'usd' });
    expect(deposit.status, deposit.text).toBe(201);
    expect(deposit.body).toMatchObject({ id: expect.stringMatching(/^dep_/), object: 'deposit', environment: 'sandbox', amount: 5000, currency: 'USD', status: 'pending', approvedAt: null });
    expect(await available()).toBe(0);
    const approved = await signedPost(api, `/v1/deposits/${deposit.body.id}/approve`, signing, {});
    expect(approved.body).toMatchObject({ status: 'approved' });
    expect(await available()).toBe(5000);
    expectError(await signedPost(api, `/v1/deposits/${deposit.body.id}/approve`, signing, {}), 409, 'deposit_not_pending', 'depositId');
    expect(await available()).toBe(5000);

    const paid = await cashout(1200, signing, { description: 'Weekly payout', metadata: { batch: 'w23' } });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body).toMatchObject({
      id: expect.stringMatching(/^co_/),
      object: 'cashout',
      environment: 'sandbox',
      amount: 1200,
      currency: 'USD',
      status: 'paid',
      failure: null,
      beneficiary: { name: 'Ana Souza', accountLast4: '14P2' },
      metadata: { batch: 'w23' },
    });
    expect(paid.text).not.toContain(beneficiary.accountNumber);
    expect(await available()).toBe(3800);
    expect((await oneKeyGet(api, `/v1/cashouts/${paid.body.id}`, signing)).body).toEqual(paid.body);
    expect((await oneKeyGet(api, '/v1/cashouts', signing)).body.data.map((c: any) => c.id)).toContain(paid.body.id);
  });

  it('a payout the bank rejects is recorded as failed and gives the money back', async () => {
    await fund(1000);
    const before = await available();
    const rejected = await cashout(1000, signing, { beneficiary: { name: 'Nobody', accountNumber: '0000000000' } });
    expect(rejected.status).toBe(201);
    expect(rejected.body).toMatchObject({ status: 'failed', failure: { code: 'payout_rejected' } });
    expect(await available()).toBe(before);
    const events = (await api.get(`/v1/accounts/${shop.id}/events?limit=100`, { key: shop.secret.secret })).body.data as Array<{ type: string; data: any }>;
    expect(events.find((e) => e.type === 'cashout.failed')?.data.object).toMatchObject({ id: rejected.body.id, status: 'failed' });
    expect(events.some((e) => e.type === 'cashout.paid')).toBe(true);
  });

  it('signed requests only: a key that does not sign gets 403 signing_required; a bad signature 401', async () => {
    await fund(100);
    const body = JSON.stringify({ amount: 1, currency: 'USD', beneficiary });
    const unsigned = await api.request('POST', '/v1/cashouts', { key: shop.secret.secret, raw: body, headers: { ...ONEKEY_HEADERS } });
    expectError(unsigned, 403, 'signing_required');
    const forged = await api.request('POST', '/v1/cashouts', { key: signing.secret, raw: body, headers: { ...ONEKEY_HEADERS, 'payload-signature': payloadSignature('not-the-key', body) } });
    expectError(forged, 401, 'signature_invalid');
    expectError(await api.request('POST', '/v1/cashouts', { key: signing.secret, raw: body, headers: { ...ONEKEY_HEADERS } }), 401, 'signature_missing');
    // The other routes of the family read with any key of the account.
    expect((await oneKeyGet(api, '/v1/balance', shop.secret)).status).toBe(200);
  });

  it('accepts RFC 9421 signatures too (the replay-proof default)', async () => {
    await fund(500);
    const key = await createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'restricted', permissions: ['cashouts.create'], generateHMAC: true });
    const body = JSON.stringify({ amount: 250, currency: 'USD', beneficiary });
    const url = `${server.url}/v1/cashouts`;
    const headers = { authorization: `Bearer ${key.secret}`, ...ONEKEY_HEADERS, 'content-digest': `sha-256=:${createHash('sha256').update(body).digest('base64')}:` };
    const signer = createSigner(Buffer.from(key.hmacKey as string, 'utf8'), 'hmac-sha256', key.id);
    const signed = await httpbis.signMessage({ key: signer, fields: ['@method', '@target-uri', 'content-digest'], params: ['keyid', 'alg', 'created'] }, { method: 'POST', url, headers, body });
    const response = await api.request('POST', '/v1/cashouts', { raw: body, headers: signed.headers as Record<string, string> });
    expect(response.status, response.text).toBe(201);
    const replayed = await api.request('POST', '/v1/cashouts', { raw: body, headers: signed.headers as Record<string, string> });
    expectError(replayed, 401, 'signature_replayed');
  });

  it('OneKey’s mandatory headers: a missing Content-Type or User-Agent is a 400 naming it', async () => {
    const body = JSON.stringify({ amount: 1, currency: 'USD', beneficiary });
    const sign = { authorization: `Bearer ${signing.secret}`, 'payload-signature': payloadSignature(signing.hmacKey as string, body) };
    // node:http sends only the headers given: no User-Agent unless asked.
    const noUserAgent = await api.nodeRequest('POST', '/v1/cashouts', { ...sign, 'content-type': 'application/json' }, body);
    expectError(noUserAgent, 400, 'missing_header', 'User-Agent');
    const noContentType = await api.nodeRequest('POST', '/v1/cashouts', { ...sign, 'user-agent': 'shop/1' }, body);
    expectError(noContentType, 400, 'missing_header', 'Content-Type');
    expectError(await api.nodeRequest('POST', '/v1/cashouts', { ...sign, 'user-agent': 'shop/1', 'content-type': 'text/plain' }, body), 415, 'unsupported_media_type', 'Content-Type');
    expectError(await api.nodeRequest('GET', '/v1/balance', { authorization: `Bearer ${shop.secret.secret}`, 'user-agent': 'shop/1' }), 400, 'missing_header', 'Content-Type');
    expectError(await api.nodeRequest('GET', '/v1/balance', { authorization: `Bearer ${shop.secret.secret}`, 'content-type': 'application/json' }), 400, 'missing_header', 'User-Agent');
    // Authentication comes first: no key, no hint about headers.
    expectError(await api.nodeRequest('GET', '/v1/balance', {}), 401, 'missing_credential');
  });

  it('validation names the field', async () => {
    expectError(await cashout(0), 400, 'invalid_field', 'amount');
    expectError(await cashout(1, signing, { currency: 'ZZZ' }), 400, 'invalid_field', 'currency');
    expectError(await cashout(1, signing, { beneficiary: { name: 'x', accountNumber: '12' } }), 400, 'invalid_field', 'beneficiary.accountNumber');
    expectError(await cashout(1, signing, { beneficiary: { accountNumber: '12345678' } }), 400, 'missing_field', 'beneficiary.name');
    expectError(await signedPost(api, '/v1/deposits', signing, { amount: 1.25, currency: 'USD' }), 400, 'invalid_field', 'amount');
  });

  it('concurrent cashouts never take the balance below zero', async () => {
    const other = await paymentsMerchant(server, api, { name: 'Busy' });
    const key = await createKey(api, server.operatorKeys.sandbox, other.id, { kind: 'secret', generateHMAC: true, signatureScheme: 'payload-signature' });
    await fund(1000, 'EUR', key);
    const responses: ApiResponse[] = await Promise.all(Array.from({ length: 10 }, () => signedPost(api, '/v1/cashouts', key, { amount: 300, currency: 'EUR', beneficiary })));
    const paid = responses.filter((r) => r.status === 201);
    expect(paid.length, responses.map((r) => r.text).join('\n')).toBe(3);
    for (const r of responses) if (r.status !== 201) expectError(r, 402, 'insufficient_funds');
    expect(await available('EUR', key)).toBe(100);
    const listed = (await oneKeyGet(api, '/v1/cashouts?limit=100', key)).body.data;
    expect(listed).toHaveLength(3);
  });

  it('concurrent approvals of one deposit credit it once', async () => {
    const other = await paymentsMerchant(server, api, { name: 'Approver' });
    const key = await createKey(api, server.operatorKeys.sandbox, other.id, { kind: 'secret', generateHMAC: true, signatureScheme: 'payload-signature' });
    const deposit = (await signedPost(api, '/v1/deposits', key, { amount: 250, currency: 'JPY' })).body;
    const responses = await Promise.all(Array.from({ length: 8 }, () => signedPost(api, `/v1/deposits/${deposit.id}/approve`, key, {})));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of responses) if (r.status !== 200) expectError(r, 409, 'deposit_not_pending');
    expect(await available('JPY', key)).toBe(250);
  });

  it('payments fund the balance; a refund the balance can not cover is "Insufficient Funds"', async () => {
    const other = await paymentsMerchant(server, api, { name: 'Refunder' });
    const key = await createKey(api, server.operatorKeys.sandbox, other.id, { kind: 'secret', generateHMAC: true, signatureScheme: 'payload-signature' });
    const token = await tokenize(api, other.publishable.secret, CARDS.success);
    const pr = (await api.post('/v1/payment-requests', { amount: 800, currency: 'CAD', token }, { key: other.secret.secret })).body;
    expect(await available('CAD', key)).toBe(800);
    expect((await signedPost(api, '/v1/cashouts', key, { amount: 800, currency: 'CAD', beneficiary })).status).toBe(201);
    expectError(await api.post(`/v1/payment-requests/${pr.id}/refunds`, { amount: 100 }, { key: other.secret.secret }), 402, 'insufficient_funds');
    expect((await api.get(`/v1/payment-requests/${pr.id}`, { key: other.secret.secret })).body.amountRefunded).toBe(0);
  });

  it('an Idempotency-Key retry answers the first cashout; the balance is debited once', async () => {
    await fund(1000, 'GBP');
    const before = await available('GBP');
    const headers = { 'idempotency-key': 'cashout-retry-1' };
    const first = await cashout(400, signing, { currency: 'GBP' }, headers);
    const second = await cashout(400, signing, { currency: 'GBP' }, headers);
    expect(first.status, first.text).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    expect(await available('GBP')).toBe(before - 400);
  });

  it('deposits are sandbox only', async () => {
    expectError(await signedPost(api, '/v1/deposits', liveSigning, { amount: 100, currency: 'USD' }), 403, 'sandbox_only');
    expectError(await cashout(1, liveSigning), 402, 'insufficient_funds');
  });

  it('environment isolation: a live key can not read a sandbox cashout or balance, nor approve a sandbox deposit', async () => {
    await fund(300);
    const co = (await cashout(100)).body;
    expectError(await oneKeyGet(api, `/v1/cashouts/${co.id}`, liveSigning), 404, 'resource_not_found', 'cashoutId');
    expect((await oneKeyGet(api, '/v1/cashouts', liveSigning)).body.data).toEqual([]);
    expect((await oneKeyGet(api, '/v1/balance', liveSigning)).body).toEqual({ object: 'balance', environment: 'live', available: [] });
    const deposit = (await signedPost(api, '/v1/deposits', signing, { amount: 100, currency: 'USD' })).body;
    expectError(await signedPost(api, `/v1/deposits/${deposit.id}/approve`, liveSigning, {}), 403, 'sandbox_only');
    const otherShop = await paymentsMerchant(server, api, { name: 'Stranger' });
    const strangerKey = await createKey(api, server.operatorKeys.sandbox, otherShop.id, { kind: 'secret', generateHMAC: true, signatureScheme: 'payload-signature' });
    expectError(await signedPost(api, `/v1/deposits/${deposit.id}/approve`, strangerKey, {}), 404, 'resource_not_found', 'depositId');
    expectError(await oneKeyGet(api, `/v1/cashouts/${co.id}`, strangerKey), 404, 'resource_not_found');
  });

  it('permission: a restricted key needs cashouts.create, balance.read, deposits.*', async () => {
    const readOnly = await createKey(api, server.operatorKeys.sandbox, shop.id, { kind: 'restricted', permissions: ['cashouts.read'], generateHMAC: true, signatureScheme: 'payload-signature' });
    expectError(await cashout(1, readOnly), 403, 'permission_denied');
    expectError(await oneKeyGet(api, '/v1/balance', readOnly), 403, 'permission_denied');
    expectError(await signedPost(api, '/v1/deposits', readOnly, { amount: 1, currency: 'USD' }), 403, 'permission_denied');
    expect((await oneKeyGet(api, '/v1/cashouts', readOnly)).status).toBe(200);
    expectError(await oneKeyGet(api, '/v1/balance', shop.publishable), 403, 'permission_denied');
  });
});
