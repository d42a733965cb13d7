import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { launchChromium } from '../helpers/browser.js';
import { invite } from '../helpers/dashboard.js';
import { createAccount } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));
const OWNER = { email: 'owner@operator.example', password: 'a long operator passphrase' };

/**
 * The dashboard in Chromium, as merchants and partners use it: first-owner
 * setup, sign-in, Settings → API Keys (create, the secret shown once, disable,
 * roll, delete behind a confirmation), roles, a partner's sub-merchant, the
 * environment switch, CSRF. Every API call the page makes is Tessera's public API.
 */
describe('dashboard in Chromium', () => {
  let server: TestServer;
  let api: Api;
  let browser: Browser;
  let owner: BrowserContext;
  let page: Page;
  const shot = (p: Page, name: string) => p.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
  const dialog = (p: Page) => p.getByRole('dialog');

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium('the dashboard');
    server = await startTestServer({ env: { TESSERA_USAGE_FLUSH_MS: '50' } });
    api = new Api(server.url);
    owner = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await owner.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Creates a key through the New API Key dialog; answers what the page showed once. */
  async function createKeyInUi(p: Page, options: { name: string; kind?: RegExp; permissions?: string[] }): Promise<Record<string, string>> {
    await p.getByRole('button', { name: 'New API Key' }).click();
    const d = dialog(p);
    await d.getByLabel('Name').fill(options.name);
    if (options.kind) await d.getByRole('radio', { name: options.kind }).check();
    for (const permission of options.permissions ?? []) await d.getByRole('checkbox', { name: permission, exact: true }).check();
    await d.getByRole('button', { name: 'Generate Key' }).click();
    await expect.poll(() => dialog(p).getByText('will not be shown again').isVisible()).toBe(true);
    const shown: Record<string, string> = {};
    for (const label of ['Secret key', 'Client ID', 'Client Secret', 'Signing secret']) {
      const input = dialog(p).getByLabel(label, { exact: true });
      if ((await input.count()) > 0) shown[label] = await input.inputValue();
    }
    return shown;
  }

  async function closeSecret(p: Page): Promise<void> {
    await dialog(p).getByRole('button', { name: /I have stored it/ }).click();
    await expect.poll(() => dialog(p).count()).toBe(0);
  }

  const row = (p: Page, name: string) => p.locator('tbody tr', { hasText: name });

  it('first owner: the link npm start prints sets the password, then signing out and in works', async () => {
    const operator = await server.tessera.core.accounts.require(server.operatorId);
    const link = await server.tessera.core.members.firstOwnerInvitation(operator);
    expect(link).not.toBeNull();
    await page.goto(link!.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Set your password' }).isVisible()).toBe(true);
    expect(await page.getByText(/^You are invited to/).textContent()).toBe('You are invited to Operator (operator) as owner.');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Your name (optional)').fill('Olivia Operator');
    await page.getByLabel('New password').fill(OWNER.password);
    await page.getByLabel('Repeat the password').fill(OWNER.password);
    await shot(page, '01-first-owner-setup');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'API Keys', exact: true }).isVisible()).toBe(true);
    // The spent token left the address bar.
    expect(page.url()).not.toContain('token=');
    // The link works once.
    expect((await api.post('/v1/invitations/lookup', { token: new URL(link!.url).hash.slice('#token='.length) })).body.error.code).toBe('invitation_used');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The email or password is wrong.');
    await shot(page, '02-sign-in-failed');
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'API Keys', exact: true }).isVisible()).toBe(true);
    // The session cookie is httpOnly: the page's scripts can't read it.
    expect(await page.evaluate(() => document.cookie)).toBe('');
  });

  it('a restricted key: created with its permissions, secret shown once and used; disabled, rolled and deleted in the UI', async () => {
    const shown = await createKeyInUi(page, { name: 'Reporting', kind: /^Restricted/, permissions: ['accounts.read'] });
    const secret = shown['Secret key']!;
    expect(secret).toMatch(/^tsr_rk_sandbox_/);
    await shot(page, '03-secret-shown-once');
    await closeSecret(page);
    expect(await row(page, 'Reporting').textContent()).toContain('accounts.read');
    // Shown once: nowhere on the page any more.
    expect(await page.content()).not.toContain(secret);

    expect((await api.get(`/v1/accounts/${server.operatorId}`, { key: secret })).status).toBe(200);
    expect((await api.get(`/v1/accounts/${server.operatorId}/keys`, { key: secret })).status).toBe(403);

    await row(page, 'Reporting').getByRole('button', { name: 'Disable Reporting' }).click();
    await expect.poll(() => row(page, 'Reporting').textContent()).toContain('disabled');
    const refused = await api.get(`/v1/accounts/${server.operatorId}`, { key: secret });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('credential_disabled');
    await row(page, 'Reporting').getByRole('button', { name: 'Enable Reporting' }).click();
    await expect.poll(() => row(page, 'Reporting').textContent()).toContain('active');

    await row(page, 'Reporting').getByRole('button', { name: 'Roll Reporting' }).click();
    await dialog(page).getByLabel('Grace period for the old secret').selectOption({ label: '1 hour' });
    await shot(page, '04-roll-grace');
    await dialog(page).getByRole('button', { name: 'Roll key' }).click();
    await expect.poll(() => dialog(page).getByText('will not be shown again').isVisible()).toBe(true);
    const rolled = await dialog(page).getByLabel('Secret key', { exact: true }).inputValue();
    expect(rolled).not.toBe(secret);
    await closeSecret(page);
    expect((await api.get(`/v1/accounts/${server.operatorId}`, { key: rolled })).status).toBe(200);
    expect((await api.get(`/v1/accounts/${server.operatorId}`, { key: secret })).status).toBe(200); // within its hour of grace

    // The key's page: its last 24 hours by outcome.
    await row(page, 'Reporting').getByRole('link', { name: 'Reporting' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Requests, last 24 hours' }).isVisible()).toBe(true);
    await expect.poll(async () => {
      await page.reload();
      return page.locator('[data-outcome="ok"]').textContent({ timeout: 5000 });
    }).toBe('3');
    expect(await page.locator('[data-outcome="401"]').textContent()).toBe('1');
    expect(await page.locator('[data-outcome="403"]').textContent()).toBe('1');
    await shot(page, '05-key-usage');
    await page.getByRole('link', { name: 'API Keys' }).first().click();

    await row(page, 'Reporting').getByRole('button', { name: 'Delete Reporting' }).click();
    await expect.poll(() => dialog(page).getByRole('heading', { name: 'Remove API Key' }).isVisible()).toBe(true);
    await shot(page, '06-remove-confirmation');
    await dialog(page).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => row(page, 'Reporting').count()).toBe(0);
    expect((await api.get(`/v1/accounts/${server.operatorId}`, { key: rolled })).body.error.code).toBe('credential_deleted');

    // The audit log names the user, with filters.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Action').fill('key.rolled');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr').first().textContent()).toContain('usr_');
    await shot(page, '07-audit-log');
  });

  it('the environment switch shows each environment its own keys, live clearly marked', async () => {
    await page.getByRole('link', { name: 'API Keys' }).click();
    await createKeyInUi(page, { name: 'Sandbox server', kind: /^Secret/ });
    await closeSecret(page);
    expect(await page.getByText(/^Sandbox — test data only/).isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Live', exact: true }).click();
    await expect.poll(() => page.getByText(/^LIVE — real credentials/).isVisible()).toBe(true);
    await expect.poll(() => row(page, 'Bootstrap operator key (live)').count()).toBe(1);
    expect(await row(page, 'Sandbox server').count()).toBe(0);
    expect(await row(page, 'Bootstrap operator key (sandbox)').count()).toBe(0);
    const live = await createKeyInUi(page, { name: 'Live server', kind: /^Secret/ });
    expect(live['Secret key']).toMatch(/^tsr_sk_live_/);
    await closeSecret(page);
    await shot(page, '08-live-keys');
    expect(await row(page, 'Sandbox server').count()).toBe(0);

    await page.getByRole('button', { name: 'Sandbox', exact: true }).click();
    await expect.poll(() => row(page, 'Sandbox server').count()).toBe(1);
    expect(await row(page, 'Live server').count()).toBe(0);
    expect(await row(page, 'Bootstrap operator key (sandbox)').count()).toBe(1);
  });

  it('CSRF: a change without the session’s token is refused, the same change with it goes through', async () => {
    const result = await page.evaluate(async (accountId) => {
      const call = (headers: Record<string, string>) =>
        fetch(`/sandbox/v1/accounts/${accountId}/keys`, { method: 'POST', headers: { 'content-type': 'application/json', 'tessera-account': accountId, ...headers }, body: JSON.stringify({ kind: 'publishable', name: 'csrf probe' }) }).then(async (r) => ({ status: r.status, body: await r.json() }));
      const without = await call({});
      const forged = await call({ 'x-csrf-token': 'forged' });
      const session = await (await fetch('/v1/session')).json();
      const withToken = await call({ 'x-csrf-token': session.csrfToken });
      return { without, forged, withToken };
    }, server.operatorId);
    expect(result.without.status).toBe(403);
    expect(result.without.body.error.code).toBe('csrf_token_invalid');
    expect(result.forged.status).toBe(403);
    expect(result.withToken.status).toBe(201);
  });

  it('a viewer sees no button that would change anything', async () => {
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('button', { name: 'Invite a member' }).click();
    await dialog(page).getByLabel('Email').fill('viewer@operator.example');
    await dialog(page).getByLabel('Role').selectOption('viewer');
    await dialog(page).getByRole('button', { name: 'Create invitation link' }).click();
    const link = await dialog(page).getByLabel('Invitation link', { exact: true }).inputValue();
    await shot(page, '09-invitation-link');
    await dialog(page).getByRole('button', { name: 'Done' }).click();

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const viewer = await context.newPage();
    await viewer.goto(link);
    await viewer.getByLabel('New password').fill('viewer passphrase one');
    await viewer.getByLabel('Repeat the password').fill('viewer passphrase one');
    await viewer.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect.poll(() => viewer.getByRole('heading', { name: 'API Keys', exact: true }).isVisible()).toBe(true);
    await expect.poll(() => row(viewer, 'Sandbox server').count()).toBe(1);
    expect(await viewer.getByRole('button', { name: 'New API Key' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /^(Disable|Enable|Roll|Delete) / }).count()).toBe(0);
    await shot(viewer, '10-viewer-keys');
    for (const [link, heading, forbidden] of [
      ['Webhook endpoints', 'Webhook endpoints', 'New endpoint'],
      ['Members', 'Members', 'Invite a member'],
      ['Sub-merchants', 'Accounts', 'New account'], // the operator's page lists every account
    ] as const) {
      await viewer.getByRole('link', { name: link }).click();
      // Wait for this page's own heading: the previous page's would satisfy a mere count.
      await expect.poll(() => viewer.getByRole('heading', { level: 1, name: heading, exact: true }).isVisible()).toBe(true);
      await expect.poll(() => viewer.getByRole('status').filter({ hasText: 'Loading' }).count()).toBe(0);
      expect(await viewer.getByRole('button', { name: forbidden }).count(), `${link}: ${forbidden}`).toBe(0);
      if (link === 'Members') {
        await expect.poll(() => viewer.locator('tbody tr').count()).toBeGreaterThan(0);
        expect(await viewer.getByRole('combobox', { name: /^Role of/ }).count()).toBe(0);
      }
    }
    // And the API agrees: the page hides nothing the API would allow.
    const refused = await viewer.evaluate(async (accountId) => {
      const session = await (await fetch('/v1/session')).json();
      const r = await fetch(`/sandbox/v1/accounts/${accountId}/keys`, { method: 'POST', headers: { 'content-type': 'application/json', 'tessera-account': accountId, 'x-csrf-token': session.csrfToken }, body: '{"kind":"secret"}' });
      return { status: r.status, code: (await r.json()).error.code };
    }, server.operatorId);
    expect(refused).toEqual({ status: 403, code: 'permission_denied' });
    await context.close();
  });

  it('a partner creates a sub-merchant and manages its keys with the same pages', async () => {
    const partnerId = await createAccount(api, server.operatorKeys.sandbox, { type: 'partner', name: 'Harbour Platform' });
    const token = await invite(server, partnerId, 'dev@harbour.example', 'owner');
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const partner = await context.newPage();
    await partner.goto(`${server.url}/dashboard/accept#token=${token}`);
    await partner.getByLabel('New password').fill('harbour passphrase one');
    await partner.getByLabel('Repeat the password').fill('harbour passphrase one');
    await partner.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect.poll(() => partner.getByRole('heading', { name: 'API Keys', exact: true }).isVisible()).toBe(true);

    await partner.getByRole('link', { name: 'Sub-merchants' }).click();
    await expect.poll(() => partner.getByText('No sub-merchant yet').isVisible()).toBe(true);
    await partner.getByRole('button', { name: 'New sub-merchant' }).click();
    await dialog(partner).getByLabel('Name').fill('Corner Shop');
    await dialog(partner).getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => row(partner, 'Corner Shop').count()).toBe(1);
    await shot(partner, '11-sub-merchants');
    const merchantId = (await row(partner, 'Corner Shop').locator('td.mono').textContent())!;

    await row(partner, 'Corner Shop').getByRole('button', { name: 'Manage keys of Corner Shop' }).click();
    await expect.poll(() => partner.getByText('Sub-merchant of Harbour Platform').isVisible()).toBe(true);
    await expect.poll(() => partner.getByText('No sandbox API keys yet').isVisible()).toBe(true);
    const shown = await createKeyInUi(partner, { name: 'Shop server', kind: /^Secret/ });
    await closeSecret(partner);
    await shot(partner, '12-sub-merchant-keys');
    const check = await api.get(`/v1/accounts/${merchantId}`, { key: shown['Secret key'] });
    expect(check.status).toBe(200);
    expect(check.body.parentId).toBe(partnerId);
    // The key is the sub-merchant's, not the partner's.
    const keys = await api.get(`/v1/accounts/${merchantId}/keys`, { key: server.operatorKeys.sandbox });
    expect(keys.body.data.map((k: { name: string }) => k.name)).toEqual(['Shop server']);
    await row(partner, 'Shop server').getByRole('button', { name: 'Disable Shop server' }).click();
    await expect.poll(() => row(partner, 'Shop server').textContent()).toContain('disabled');
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: shown['Secret key'] })).status).toBe(401);
    await context.close();
  });

  it('payment requests list their amounts in each currency’s minor units (USD 2 decimals, JPY none)', async () => {
    for (const [amount, currency] of [
      [123456, 'USD'],
      [5000, 'JPY'],
    ] as const) {
      const created = await api.post('/v1/payment-requests', { amount, currency, payByLink: true }, { key: server.operatorKeys.sandbox });
      expect(created.status, created.text).toBe(201);
    }
    await page.getByRole('link', { name: 'Payment requests', exact: true }).click();
    await expect.poll(() => page.locator('tbody').textContent()).toContain('USD 1,234.56');
    expect(await page.locator('tbody').textContent()).toContain('JPY 5,000');
    // Its page: the amount as the title, its status, the way back to the list.
    await page.locator('tbody tr', { hasText: 'JPY 5,000' }).getByRole('link').first().click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('JPY 5,000');
    expect(await page.locator('.title-row').textContent()).toContain('pending');
    await page.getByRole('link', { name: 'Payment requests', exact: true }).first().click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Payment requests');
  });

  it('screenshots of the other main pages, each with its empty or loaded state', async () => {
    for (const [link, heading, name] of [
      ['Webhook endpoints', 'Webhook endpoints', '13-webhooks'],
      ['Events', 'Events', '14-events'],
      ['Checkout sessions', 'Checkout sessions', '15-checkout-sessions'],
      ['Payment requests', 'Payment requests', '16-payments'],
      ['Balance', 'Balance', '17-balance'],
      ['Members', 'Members', '18-members'],
      ['Your sessions', 'Your sessions', '19-sessions'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await expect.poll(() => page.getByRole('heading', { name: heading, level: 1 }).isVisible()).toBe(true);
      await expect.poll(() => page.getByRole('status').filter({ hasText: 'Loading' }).count()).toBe(0);
      expect(await page.getByRole('alert').count(), `${link} shows an error`).toBe(0);
      await shot(page, name);
    }
  });
});
