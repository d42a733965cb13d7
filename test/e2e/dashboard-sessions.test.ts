import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { acceptInvitation, cookieOf, DashboardClient, invite, PASSWORD, signIn, tokenOf } from '../helpers/dashboard.js';
import { secretDigest } from '../../src/domain/digest.js';
import { dumpRows } from '../helpers/database-dump.js';
import { expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));
const MINUTE = 60_000;

// Dashboard sign-in and sessions through the API the dashboard uses: cookies, CSRF, throttling, expiry, revocation, invitations.
describe('dashboard sign-in and sessions', () => {
  let server: TestServer;
  let api: Api;
  let clock = Date.now();
  let ipCounter = 0;
  /** A fresh client address per call (the server trusts X-Forwarded-For from the loopback proxy). */
  const fromNewIp = () => ({ 'x-forwarded-for': `198.51.100.${++ipCounter % 250}` });

  beforeAll(async () => {
    server = await startTestServer({ now: () => clock, env: { TESSERA_TRUSTED_PROXIES: '127.0.0.1/32' } });
    api = new Api(server.url);
    await acceptInvitation(api, await invite(server, server.operatorId, 'Ada@Example.com', 'owner'), { name: 'Ada' });
  });
  afterAll(() => server.close());

  it('signs in: an httpOnly, SameSite=Strict session cookie (no Secure over plain HTTP), memberships with their permissions, a CSRF token', async () => {
    const response = await api.post('/v1/session', { email: '  ADA@example.com ', password: PASSWORD }, { headers: fromNewIp() });
    expect(response.status, response.text).toBe(201);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^tessera_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body.user).toMatchObject({ email: 'ada@example.com', name: 'Ada' });
    expect(response.body.user.id).toMatch(/^usr_/);
    expect(response.body.memberships).toHaveLength(1);
    expect(response.body.memberships[0]).toMatchObject({ accountId: server.operatorId, role: 'owner', account: { type: 'operator' } });
    expect(response.body.memberships[0].permissions).toContain('members.manage');
    expect(response.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The token is the session's: the session itself is not in the body, and the database keeps only its digest.
    const token = cookie.split(';')[0]!.split('=')[1]!;
    expect(response.text).not.toContain(token);
    const rows = (await dumpRows(server.env)).rows.map((r) => r.text).join('\n');
    // Opaque tokens (not key-shaped: findSecrets' needles assume a key's prefix), looked for whole.
    expect(rows.includes(token)).toBe(false);
    expect(rows.includes(response.body.csrfToken)).toBe(false);
    expect(rows).toContain(secretDigest(token));
    const me = await api.get('/v1/session', { headers: { cookie: cookieOf(response) } });
    expect(me.status).toBe(200);
    expect(me.body.csrfToken).toBe(response.body.csrfToken);
  });

  it('a wrong password and an unknown email get the same answer, and no cookie', async () => {
    const wrong = await api.post('/v1/session', { email: 'ada@example.com', password: 'not the password' }, { headers: fromNewIp() });
    const unknown = await api.post('/v1/session', { email: 'nobody@example.com', password: 'not the password' }, { headers: fromNewIp() });
    for (const response of [wrong, unknown]) {
      expectError(response, 401, 'sign_in_failed');
      expect(response.body.error.message).toBe('The email or password is wrong.');
      expect(response.headers.get('set-cookie')).toBeNull();
    }
    expectError(await api.post('/v1/session', { email: 'ada@example.com' }, { headers: fromNewIp() }), 400, 'missing_field', 'password');
  });

  it('throttles sign-in per email, whatever the IP: 429 with Retry-After, known and unknown emails alike, then lets it go', async () => {
    await acceptInvitation(api, await invite(server, server.operatorId, 'bob@example.com', 'viewer'));
    for (const email of ['bob@example.com', 'ghost@example.com']) {
      for (let i = 0; i < 5; i++) expectError(await api.post('/v1/session', { email, password: 'guess number ' + i }, { headers: fromNewIp() }), 401, 'sign_in_failed');
      // Even the right password waits now: the account is being guessed at.
      const throttled = await api.post('/v1/session', { email, password: PASSWORD }, { headers: fromNewIp() });
      expectError(throttled, 429, 'sign_in_throttled');
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(900);
      expect(throttled.body.error.message).toMatch(/^Too many sign-in attempts\. Wait \d+ seconds, then try again\.$/);
    }
    // Someone else is not affected.
    await signIn(api, 'ada@example.com', PASSWORD, fromNewIp());
    clock += 15 * MINUTE + 1000;
    await signIn(api, 'bob@example.com', PASSWORD, fromNewIp());
  });

  it('throttles sign-in per IP: 10 a minute, whichever emails', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.77' };
    for (let i = 0; i < 10; i++) expectError(await api.post('/v1/session', { email: `spray${i}@example.com`, password: 'spray password' }, { headers: ip }), 401, 'sign_in_failed');
    const throttled = await api.post('/v1/session', { email: 'ada@example.com', password: PASSWORD }, { headers: ip });
    expectError(throttled, 429, 'sign_in_throttled');
    expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another address signs in fine; this one again after the minute.
    await signIn(api, 'ada@example.com', PASSWORD, fromNewIp());
    clock += MINUTE + 1000;
    await signIn(api, 'ada@example.com', PASSWORD, ip);
  });

  it('a session ends after 30 minutes unused, and after 12 hours whatever the activity (frozen clock)', async () => {
    const idle = await signIn(api, 'ada@example.com', PASSWORD, fromNewIp());
    clock += 29 * MINUTE;
    expect((await idle.get('/v1/session')).status).toBe(200);
    clock += 29 * MINUTE; // 58 minutes old, 29 unused: the use above restarted the idle clock
    expect((await idle.get(`/v1/accounts/${server.operatorId}/keys`)).status).toBe(200);
    clock += 31 * MINUTE;
    const expired = await idle.get('/v1/session');
    expectError(expired, 401, 'session_expired');
    expect(expired.headers.get('www-authenticate')).toContain('Cookie');
    expectError(await idle.get(`/v1/accounts/${server.operatorId}/keys`), 401, 'session_expired');

    const busy = await signIn(api, 'ada@example.com', PASSWORD, fromNewIp());
    for (let elapsed = 0; elapsed < 12 * 60; elapsed += 25) {
      expect((await busy.get('/v1/session')).status, `after ${elapsed} minutes`).toBe(200);
      clock += 25 * MINUTE;
    }
    expectError(await busy.get('/v1/session'), 401, 'session_expired');
  });

  it('revocation bites at the next request: a session signed out from another, and signing out', async () => {
    const laptop = await signIn(api, 'ada@example.com', PASSWORD, fromNewIp());
    const phone = await signIn(api, 'ada@example.com', PASSWORD, { ...fromNewIp(), 'user-agent': 'Phone/1.0' });
    const sessions = await laptop.get('/v1/sessions');
    expect(sessions.status).toBe(200);
    const phoneSession = sessions.body.data.find((s: any) => s.userAgent === 'Phone/1.0');
    expect(phoneSession).toMatchObject({ current: false });
    expect(sessions.body.data.filter((s: any) => s.current)).toHaveLength(1);
    expectError(await laptop.delete(`/v1/sessions/${phoneSession.id}`, { 'x-csrf-token': 'forged' }), 403, 'csrf_token_invalid');
    expect((await laptop.delete(`/v1/sessions/${phoneSession.id}`)).status).toBe(204);
    expectError(await phone.get('/v1/session'), 401, 'session_invalid');
    expectError(await phone.post(`/v1/accounts/${server.operatorId}/keys`, { kind: 'publishable' }), 401, 'session_invalid');
    // Another user's session id looks like it does not exist.
    const bob = await signIn(api, 'bob@example.com', PASSWORD, fromNewIp());
    const laptopId = (await laptop.get('/v1/session')).body.id;
    expectError(await bob.delete(`/v1/sessions/${laptopId}`), 404, 'resource_not_found');

    const signOut = await laptop.delete('/v1/session');
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('set-cookie')).toBe('tessera_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    expectError(await laptop.get('/v1/session'), 401, 'session_invalid');
    expectError(await api.get('/v1/session'), 401, 'session_invalid');
  });

  it('CSRF: every change made with a session needs its token; reads do not; other sites are refused; API keys are unaffected', async () => {
    const ada = (await signIn(api, 'ada@example.com', PASSWORD, fromNewIp())).as(server.operatorId);
    const keys = `/v1/accounts/${server.operatorId}/keys`;
    const noToken = new DashboardClient(api, ada.cookie, '', server.operatorId);
    expectError(await api.post(`/sandbox${keys}`, { kind: 'publishable' }, { headers: { cookie: ada.cookie, 'tessera-account': server.operatorId } }), 403, 'csrf_token_invalid', 'X-CSRF-Token');
    expectError(await noToken.post(keys, { kind: 'publishable' }), 403, 'csrf_token_invalid');
    const other = await signIn(api, 'ada@example.com', PASSWORD, fromNewIp());
    expectError(await ada.post(keys, { kind: 'publishable' }, { 'x-csrf-token': other.csrfToken }), 403, 'csrf_token_invalid'); // another session's token
    expectError(await ada.delete('/v1/session', { 'x-csrf-token': '' }), 403, 'csrf_token_invalid');
    expect((await noToken.get(keys)).status).toBe(200);
    expectError(await ada.post(keys, { kind: 'publishable' }, { origin: 'https://evil.example' }), 403, 'csrf_token_invalid');
    expectError(await api.post('/v1/session', { email: 'ada@example.com', password: PASSWORD }, { headers: { ...fromNewIp(), origin: 'https://evil.example' } }), 403, 'csrf_token_invalid');
    const created = await ada.post(keys, { kind: 'publishable', name: 'made with the token' }, { origin: server.url });
    expect(created.status, created.text).toBe(201);
    // A key in the request wins over a cookie: no CSRF token involved.
    expect((await api.post(`/v1/accounts`, { type: 'partner', name: 'P' }, { key: server.operatorKeys.sandbox, headers: { cookie: ada.cookie } })).status).toBe(201);
    // And a missing cookie with no key is the usual missing credential.
    expectError(await api.get(keys), 401, 'missing_credential');
  });

  it('invitations: a link works once, until it expires; an existing user joins with their own password', async () => {
    const partner = (await api.post('/v1/accounts', { type: 'partner', name: 'Platform' }, { key: server.operatorKeys.sandbox })).body.id as string;
    const token = await invite(server, partner, 'carol@example.com', 'developer');
    const lookup = await api.post('/v1/invitations/lookup', { token });
    expect(lookup.body).toMatchObject({ email: 'carol@example.com', role: 'developer', account: { id: partner, name: 'Platform', type: 'partner' }, existingUser: false });
    expectError(await api.post('/v1/invitations/accept', { token, password: 'short' }), 400, 'invalid_field', 'password');
    const accepted = await api.post('/v1/invitations/accept', { token, password: PASSWORD, email: 'mallory@example.com' });
    expect(accepted.status, accepted.text).toBe(201);
    expect(accepted.body.user.email).toBe('carol@example.com'); // the invitation's email, not one chosen by whoever holds the link
    expect(accepted.headers.get('set-cookie')).toMatch(/^tessera_session=/);
    expectError(await api.post('/v1/invitations/accept', { token, password: PASSWORD }), 409, 'invitation_used');
    expectError(await api.post('/v1/invitations/lookup', { token }), 409, 'invitation_used');
    expectError(await api.post('/v1/invitations/lookup', { token: 'A'.repeat(43) }), 404, 'invitation_invalid');

    const late = await invite(server, partner, 'dave@example.com', 'viewer');
    clock += 7 * 24 * 60 * MINUTE + 1000;
    expectError(await api.post('/v1/invitations/accept', { token: late, password: PASSWORD }), 409, 'invitation_expired');

    // Ada (owner of the operator) is invited to the partner too: she proves her password.
    const second = await invite(server, partner, 'ada@example.com', 'viewer');
    expect((await api.post('/v1/invitations/lookup', { token: second })).body.existingUser).toBe(true);
    expectError(await api.post('/v1/invitations/accept', { token: second, password: 'not her password' }), 401, 'sign_in_failed');
    const joined = await api.post('/v1/invitations/accept', { token: second, password: PASSWORD });
    expect(joined.status, joined.text).toBe(201);
    expect(joined.body.memberships.map((m: any) => `${m.account.type}:${m.role}`).sort()).toEqual(['operator:owner', 'partner:viewer']);
    await expect(invite(server, partner, 'ada@example.com', 'owner')).rejects.toMatchObject({ code: 'already_member' });
  });

  it('two invitations for one new email accepted at the same moment: one user, never a 500', async () => {
    const accounts: string[] = [];
    for (const name of ['Shop one', 'Shop two']) accounts.push((await api.post('/v1/accounts', { type: 'merchant', name }, { key: server.operatorKeys.sandbox })).body.id);
    const tokens = await Promise.all(accounts.map((account) => invite(server, account, 'frank@example.com', 'developer')));
    const answers = await Promise.all(tokens.map((token) => api.post('/v1/invitations/accept', { token, password: PASSWORD })));
    // Side by side the second finds no user yet and loses the insert (409 email_taken); one after
    // the other it finds the first's user and joins with the same password (201).
    for (const answer of answers) expect(answer.status === 201 || (answer.status === 409 && answer.body.error.code === 'email_taken'), answer.text).toBe(true);
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(1);
    const users = (await server.tessera.core.store.users.listByIds(answers.filter((a) => a.status === 201).map((a) => a.body.user.id))).map((u) => u.email);
    expect(new Set(users)).toEqual(new Set(['frank@example.com']));
  });

  it("the first owner's link: only while nobody can sign in, and it asks for the email", async () => {
    const fresh = await startTestServer();
    try {
      const freshApi = new Api(fresh.url);
      const operator = await fresh.tessera.core.accounts.require(fresh.operatorId);
      const link = await fresh.tessera.core.members.firstOwnerInvitation(operator);
      expect(link?.url).toMatch(new RegExp(`^${fresh.url}/dashboard/accept#token=`));
      const token = tokenOf(link!.url);
      expect((await freshApi.post('/v1/invitations/lookup', { token })).body).toMatchObject({ email: null, role: 'owner', account: { id: fresh.operatorId } });
      expectError(await freshApi.post('/v1/invitations/accept', { token, password: PASSWORD }), 400, 'missing_field', 'email');
      const owner = await acceptInvitation(freshApi, token, { email: 'First@Owner.example' });
      expect((await owner.get('/v1/session')).body.user.email).toBe('first@owner.example');
      expect(await fresh.tessera.core.members.firstOwnerInvitation(operator)).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  it('the CLI invites (tessera users invite) and lists users', async () => {
    clock = Date.now(); // the CLI's clock is the real one
    const cli = async (...args: string[]) => JSON.parse((await run(process.execPath, [BIN, ...args, '--json'], { env: { ...process.env, ...server.env }, encoding: 'utf8', timeout: 30_000 })).stdout);
    const invited = await cli('users', 'invite', '--account', server.operatorId, '--email', 'erin@example.com', '--role', 'developer');
    expect(invited).toMatchObject({ object: 'invitation', email: 'erin@example.com', role: 'developer', accountId: server.operatorId, invitedBy: { type: 'cli' } });
    const erin = await acceptInvitation(api, tokenOf(invited.url));
    expect((await erin.get('/v1/session')).body.memberships[0].role).toBe('developer');
    const { users } = await cli('users', 'list');
    expect(users.find((u: any) => u.email === 'erin@example.com').memberships).toEqual([{ accountId: server.operatorId, role: 'developer' }]);
    // Never a password hash or a token.
    expect(JSON.stringify(users)).not.toMatch(/argon2|token/i);
  });
});
