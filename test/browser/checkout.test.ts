import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { launchChromium } from '../helpers/browser.js';
import { testDatabaseKind } from '../helpers/database.js';
import { CARDS, completeSession, createSession, paymentsMerchant, tokenize, type PaymentsMerchant } from '../helpers/payments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/checkout/', import.meta.url));

/**
 * The merchant's site: where the hosted page sends the customer. Its success
 * page verifies the session server-side before saying the order is paid,
 * as Ozura tells merchants to.
 */
async function startMerchantSite(tesseraUrl: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const sessionId = url.searchParams.get('sessionId') ?? '';
    const render = (title: string, body: string) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html lang="en"><head><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`);
    };
    if (url.pathname === '/success') {
      fetch(`${tesseraUrl}/v1/checkout/sessions/${encodeURIComponent(sessionId)}`)
        .then((r) => r.json() as Promise<{ status?: string }>)
        .then((session) => render(session.status === 'completed' ? 'Order confirmed' : 'Payment not verified', `<p id="verified">Verified by the server: ${session.status ?? 'unknown'}</p>`))
        .catch(() => render('Payment not verified', '<p id="verified">Verification failed</p>'));
      return;
    }
    if (url.pathname === '/cancel') return render('Checkout cancelled', `<p id="session">${sessionId}</p>`);
    if (url.pathname === '/error') return render('Payment failed', `<p id="error">${url.searchParams.get('error') ?? ''}</p>`);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

// The hosted checkout page in a real browser: pay, land on successUrl, verify server-side; "already paid"; expired; declined.
describe('hosted checkout in Chromium', () => {
  let server: TestServer;
  let api: Api;
  let shop: PaymentsMerchant;
  let site: { url: string; server: Server };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let clock = Date.now();
  const expiry = () => `12 / ${String((new Date(clock).getUTCFullYear() + 3) % 100).padStart(2, '0')}`;
  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}${testDatabaseKind()}-${name}.png`, fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer({ now: () => clock });
    api = new Api(server.url);
    shop = await paymentsMerchant(server, api, { name: 'Harbour Tickets' });
    site = await startMerchantSite(server.url);
    browser = await launchChromium('the hosted checkout page');
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.server.close(resolve));
    await server?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 520, height: 760 } });
    page = await context.newPage();
  });
  afterEach(() => context.close());

  const newSession = (body: Record<string, unknown> = {}) =>
    createSession(api, shop.secret.secret, { amount: 4999, currency: 'USD', description: 'Concert ticket, row F', successUrl: `${site.url}/success`, cancelUrl: `${site.url}/cancel`, errorUrl: `${site.url}/error`, ...body });

  async function fillCard(number: string): Promise<void> {
    await page.getByLabel('Card number').fill(number);
    await page.getByLabel('Expiry date').fill(expiry());
    await page.getByLabel('Security code').fill('123');
  }

  it('pays with the success card, lands on successUrl, and the server verifies the session completed', async () => {
    const session = await newSession();
    await page.goto(session.checkoutUrl);
    await expect.poll(() => page.locator('h1').textContent()).toBe('USD 49.99');
    expect(await page.title()).toBe('Pay Harbour Tickets · USD 49.99');
    expect(await page.locator('.merchant').textContent()).toBe('Harbour Tickets');
    expect(await page.getByText('Concert ticket, row F').isVisible()).toBe(true);
    await fillCard('4242 4242 4242 4242');
    await shot('1-pending');
    await page.getByRole('button', { name: 'Pay USD 49.99' }).click();
    await page.waitForURL(`${site.url}/success?sessionId=${session.id}`);
    expect(await page.locator('#verified').textContent()).toBe('Verified by the server: completed');
    expect(await page.locator('h1').textContent()).toBe('Order confirmed');
    await shot('2-success');
    expect((await api.get(`/v1/checkout/sessions/${session.id}`)).body.status).toBe('completed');

    // Reopening the checkout page: "already paid", and no form to pay with.
    await page.goto(session.checkoutUrl);
    await expect.poll(() => page.getByRole('heading', { name: 'Already paid' }).isVisible()).toBe(true);
    expect(await page.getByText(/already paid/).first().isVisible()).toBe(true);
    expect(await page.getByLabel('Card number').isVisible()).toBe(false);
    await shot('3-already-paid');
  });

  it('a page left open (or reached with the back button) after payment can not pay again', async () => {
    const session = await newSession();
    await page.goto(session.checkoutUrl);
    // Paid elsewhere meanwhile.
    expect((await completeSession(api, session.id, await tokenize(api, shop.publishable.secret, CARDS.success, clock))).status).toBe(200);
    await fillCard(CARDS.mastercard);
    await page.getByRole('button', { name: /^Pay / }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Already paid' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Card number').isVisible()).toBe(false);
    const requests = (await api.get('/v1/payment-requests?limit=100', { key: shop.secret.secret })).body.data.filter((p: any) => p.checkoutSessionId === session.id);
    expect(requests).toHaveLength(1);
  });

  it('the decline card shows a clear message; the customer then pays with another card', async () => {
    const session = await newSession({ amount: 1250, currency: 'EUR' });
    await page.goto(session.checkoutUrl);
    await fillCard(CARDS.decline);
    await page.getByRole('button', { name: 'Pay EUR 12.50' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toBe('Your card was declined. Try another card.');
    expect(await page.getByLabel('Card number').getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toBe(session.checkoutUrl);
    await shot('4-declined');
    expect((await api.get(`/v1/checkout/sessions/${session.id}`)).body.status).toBe('pending');
    await fillCard(CARDS.success);
    await page.getByRole('button', { name: 'Pay EUR 12.50' }).click();
    await page.waitForURL(`${site.url}/success?sessionId=${session.id}`);
    expect(await page.locator('#verified').textContent()).toBe('Verified by the server: completed');
  });

  it('a card number with a typo is caught by the card-token endpoint, naming the field', async () => {
    const session = await newSession();
    await page.goto(session.checkoutUrl);
    await fillCard('4242 4242 4242 4241');
    await page.getByRole('button', { name: /^Pay / }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not a valid card number/);
    expect(await page.getByLabel('Card number').getAttribute('aria-invalid')).toBe('true');
  });

  it('a processor failure sends the customer to errorUrl; cancel to cancelUrl', async () => {
    const session = await newSession();
    await page.goto(session.checkoutUrl);
    await fillCard(CARDS.processingError);
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(`${site.url}/error?sessionId=${session.id}&error=processing_error`);
    expect(await page.locator('h1').textContent()).toBe('Payment failed');
    await page.goto(session.checkoutUrl);
    await page.getByRole('link', { name: 'Cancel and return to Harbour Tickets' }).click();
    await page.waitForURL(`${site.url}/cancel?sessionId=${session.id}`);
    expect((await api.get(`/v1/checkout/sessions/${session.id}`)).body.status).toBe('pending');
  });

  it('an expired session (frozen clock) shows that it expired and can not be paid', async () => {
    const open = await newSession();
    const later = await newSession();
    await page.goto(open.checkoutUrl);
    clock += 30 * 60_000;
    // The page was still on screen: paying now is refused, and the page says why.
    await fillCard(CARDS.success);
    await page.getByRole('button', { name: /^Pay / }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'This checkout has expired' }).isVisible()).toBe(true);
    // Opened after expiry: no form at all.
    await page.goto(later.checkoutUrl);
    expect(await page.getByRole('heading', { name: 'This checkout has expired' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Card number').isVisible()).toBe(false);
    await shot('5-expired');
    expect((await api.get(`/v1/checkout/sessions/${open.id}`)).body.status).toBe('expired');
    expect((await api.get(`/v1/checkout/sessions/${later.id}`)).body.status).toBe('expired');
    const paid = (await api.get('/v1/payment-requests?limit=100', { key: shop.secret.secret })).body.data.filter((p: any) => [open.id, later.id].includes(p.checkoutSessionId));
    expect(paid).toEqual([]);
  });
});
