import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { acceptInvitation, invite, member, type DashboardClient } from '../helpers/dashboard.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Roles and tenancy for dashboard users: the session is like a key of the account acted as, with its role's permissions.
describe('dashboard roles and tenancy', () => {
  let server: TestServer;
  let api: Api;
  let merchant: string;
  let owner: DashboardClient;
  let developer: DashboardClient;
  let viewer: DashboardClient;
  const keysOf = (account: string) => `/v1/accounts/${account}/keys`;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    merchant = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'Shop' });
    owner = await member(server, api, merchant, 'owner@shop.example', 'owner');
    developer = await member(server, api, merchant, 'dev@shop.example', 'developer');
    viewer = await member(server, api, merchant, 'viewer@shop.example', 'viewer');
  });
  afterAll(() => server.close());

  it('a viewer reads everything and changes nothing', async () => {
    const key = await createKey(api, server.operatorKeys.sandbox, merchant, { kind: 'secret', name: 'server' });
    for (const path of [keysOf(merchant), `${keysOf(merchant)}/${key.id}`, `${keysOf(merchant)}/${key.id}/usage`, `/v1/accounts/${merchant}/audit-events`, `/v1/accounts/${merchant}/webhook-endpoints`, `/v1/accounts/${merchant}/events`, `/v1/accounts/${merchant}/members`, `/v1/accounts/${merchant}`, '/v1/checkout/sessions', '/v1/payment-requests', '/v1/operations']) {
      const response = await viewer.get(path);
      expect(response.status, `${path}: ${response.text}`).toBe(200);
    }
    const refusals = [
      await viewer.post(keysOf(merchant), { kind: 'publishable' }),
      await viewer.patch(`${keysOf(merchant)}/${key.id}`, { enabled: false }),
      await viewer.post(`${keysOf(merchant)}/${key.id}/roll`, {}),
      await viewer.delete(`${keysOf(merchant)}/${key.id}`),
      await viewer.post(`/v1/accounts/${merchant}/webhook-endpoints`, { url: 'http://localhost:9/hooks', eventTypes: ['*'] }),
      await viewer.post(`/v1/accounts/${merchant}/invitations`, { email: 'x@shop.example', role: 'viewer' }),
      await viewer.patch(`/v1/accounts/${merchant}`, { name: 'Renamed' }),
    ];
    for (const response of refusals) {
      expectError(response, 403, 'permission_denied');
      expect(response.body.error.message).toMatch(/\(viewer\) does not allow/);
    }
    expect((await api.get(`/v1/accounts/${merchant}`, { key: key.secret })).status).toBe(200); // nothing happened to the key
  });

  it('a developer manages keys (secret keys of the own account included) and webhook endpoints, not members', async () => {
    const secret = await developer.post(keysOf(merchant), { kind: 'secret', name: 'made in the dashboard' });
    expect(secret.status, secret.text).toBe(201);
    expect(secret.body.secret).toMatch(/^tsr_sk_sandbox_/);
    expect((await developer.post(`${keysOf(merchant)}/${secret.body.id}/roll`, { gracePeriodSeconds: 0 })).status).toBe(200);
    expect((await developer.patch(`${keysOf(merchant)}/${secret.body.id}`, { enabled: false })).status).toBe(200);
    expect((await developer.delete(`${keysOf(merchant)}/${secret.body.id}`)).status).toBe(200);
    const hook = await developer.post(`/v1/accounts/${merchant}/webhook-endpoints`, { url: 'http://localhost:9/hooks', eventTypes: ['key.*'] });
    expect(hook.status, hook.text).toBe(201);
    expectError(await developer.post(`/v1/accounts/${merchant}/invitations`, { email: 'x@shop.example', role: 'owner' }), 403, 'permission_denied');
    expectError(await developer.patch(`/v1/accounts/${merchant}`, { name: 'Renamed' }), 403, 'permission_denied');
    // The audit log names the user, not a key.
    const audit = await developer.get(`/v1/accounts/${merchant}/audit-events?keyId=${secret.body.id}`);
    const userId = (await developer.get('/v1/session')).body.user.id;
    expect(audit.body.data.map((e: any) => `${e.action}:${e.actor.type}:${e.actor.id}:${e.credentialId}`)).toEqual(
      ['key.deleted', 'key.disabled', 'key.rolled', 'key.created'].map((a) => `${a}:user:${userId}:null`),
    );
    expect((await developer.get(`/v1/accounts/${merchant}/audit-events?actorId=${userId}`)).body.data.map((e: any) => e.action)).toEqual([
      'webhook_endpoint.created',
      'key.deleted',
      'key.disabled',
      'key.rolled',
      'key.created',
      'member.joined',
    ]);
  });

  it('an owner invites, changes roles and removes members; the last owner stays', async () => {
    const invited = await owner.post(`/v1/accounts/${merchant}/invitations`, { email: 'New@Shop.example', role: 'viewer' });
    expect(invited.status, invited.text).toBe(201);
    expect(invited.body).toMatchObject({ object: 'invitation', email: 'new@shop.example', role: 'viewer', invitedBy: { type: 'user' } });
    expect(invited.body.url).toMatch(new RegExp(`^${server.url}/dashboard/accept#token=[A-Za-z0-9_-]{43}$`));
    expect((await owner.get(`/v1/accounts/${merchant}/invitations`)).body.data.map((i: any) => i.email)).toEqual(['new@shop.example']);
    expect(JSON.stringify((await owner.get(`/v1/accounts/${merchant}/invitations`)).body)).not.toContain(new URL(invited.body.url).hash.slice(7));
    expectError(await owner.post(`/v1/accounts/${merchant}/invitations`, { email: 'dev@shop.example', role: 'owner' }), 409, 'already_member');
    expect((await owner.delete(`/v1/accounts/${merchant}/invitations/${invited.body.id}`)).status).toBe(204);
    expectError(await api.post('/v1/invitations/accept', { token: new URL(invited.body.url).hash.slice(7), password: 'a long password' }), 409, 'invitation_expired');

    const members = (await owner.get(`/v1/accounts/${merchant}/members`)).body.data;
    expect(members.map((m: any) => `${m.email}:${m.role}`)).toEqual(['owner@shop.example:owner', 'dev@shop.example:developer', 'viewer@shop.example:viewer']);
    const ownerId = members[0].userId;
    const viewerId = members[2].userId;
    expectError(await owner.patch(`/v1/accounts/${merchant}/members/${ownerId}`, { role: 'developer' }), 409, 'last_owner');
    expectError(await owner.delete(`/v1/accounts/${merchant}/members/${ownerId}`), 409, 'last_owner');

    // A role change is in force at the member's next request.
    expect((await owner.patch(`/v1/accounts/${merchant}/members/${viewerId}`, { role: 'developer' })).body.role).toBe('developer');
    expect((await viewer.post(keysOf(merchant), { kind: 'publishable' })).status).toBe(201);
    expect((await owner.patch(`/v1/accounts/${merchant}/members/${viewerId}`, { role: 'viewer' })).status).toBe(200);
    expectError(await viewer.post(keysOf(merchant), { kind: 'publishable' }), 403, 'permission_denied');
    expectError(await owner.patch(`/v1/accounts/${merchant}/members/${viewerId}`, { role: 'admin' }), 400, 'invalid_field', 'role');

    const audit = (await owner.get(`/v1/accounts/${merchant}/audit-events?action=member.role_changed`)).body.data;
    expect(audit[0]).toMatchObject({ actor: { type: 'user', id: ownerId }, target: { type: 'user', id: viewerId }, details: { from: 'developer', to: 'viewer' } });

    const leaving = await member(server, api, merchant, 'leaving@shop.example', 'developer');
    const leavingId = (await leaving.get('/v1/session')).body.user.id;
    expect((await owner.delete(`/v1/accounts/${merchant}/members/${leavingId}`)).status).toBe(204);
    expectError(await leaving.get(keysOf(merchant)), 403, 'permission_denied');
  });

  it('members are managed by owners and the operator, never by a key that could then mint keys', async () => {
    const secret = await createKey(api, server.operatorKeys.sandbox, merchant, { kind: 'secret' });
    expectError(await api.post(`/v1/accounts/${merchant}/invitations`, { email: 'x@shop.example', role: 'owner' }, { key: secret.secret }), 403, 'permission_denied');
    expectError(await api.post(keysOf(merchant), { kind: 'restricted', permissions: ['keys.read', 'members.manage'] }, { key: server.operatorKeys.sandbox }), 400, 'invalid_field', 'permissions');
    const partner = await createAccount(api, server.operatorKeys.sandbox, { type: 'partner', name: 'P' });
    const partnerKey = await createKey(api, server.operatorKeys.sandbox, partner, { kind: 'secret' });
    expectError(await api.post(`/v1/accounts/${partner}/invitations`, { email: 'x@p.example', role: 'owner' }, { key: partnerKey.secret }), 403, 'permission_denied');
    const byOperator = await api.post(`/v1/accounts/${partner}/invitations`, { email: 'owner@p.example', role: 'owner' }, { key: server.operatorKeys.sandbox });
    expect(byOperator.status, byOperator.text).toBe(201);
    expect(byOperator.body.invitedBy).toMatchObject({ type: 'credential' });
    expect((await api.get(`/v1/accounts/${partner}/members`, { key: server.operatorKeys.sandbox })).status).toBe(200);
  });

  it('the account acted as is one of the memberships (Tessera-Account); others answer as if they did not exist', async () => {
    const other = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'Other shop' });
    expectError(await owner.get(keysOf(other)), 404, 'resource_not_found');
    expectError(await owner.as(other).get(keysOf(other)), 403, 'permission_denied', 'Tessera-Account');
    // One membership: the header may be left out.
    const solo = owner.as(merchant);
    solo.account = null;
    expect((await solo.get(keysOf(merchant))).status).toBe(200);
    // Two memberships: it must be named.
    const both = await acceptInvitation(api, await invite(server, other, 'owner@shop.example', 'viewer'), {});
    both.account = null;
    expectError(await both.get(keysOf(merchant)), 400, 'missing_header', 'Tessera-Account');
    expect((await both.as(other).get(keysOf(other))).status).toBe(200);
    expectError(await both.as(other).post(keysOf(other), { kind: 'publishable' }), 403, 'permission_denied'); // viewer there
    expect((await both.as(merchant).post(keysOf(merchant), { kind: 'publishable' })).status).toBe(201); // owner here
  });

  it("a partner's members manage its sub-merchants' keys, and only theirs", async () => {
    const partner = await createAccount(api, server.operatorKeys.sandbox, { type: 'partner', name: 'Platform' });
    const rival = await createAccount(api, server.operatorKeys.sandbox, { type: 'partner', name: 'Rival' });
    const rivalShop = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'Rival shop', parentId: rival });
    const partnerDev = await member(server, api, partner, 'dev@platform.example', 'developer');
    const partnerOwner = await member(server, api, partner, 'owner@platform.example', 'owner');
    const created = await partnerOwner.post('/v1/accounts', { type: 'merchant', name: 'Corner shop' });
    expect(created.status, created.text).toBe(201);
    const sub = created.body.id;
    expect(created.body.parentId).toBe(partner);
    expectError(await partnerDev.post('/v1/accounts', { type: 'merchant', name: 'Not allowed' }), 403, 'permission_denied');
    expect((await partnerDev.get('/v1/accounts')).body.data.map((a: any) => a.id).sort()).toEqual([partner, sub].sort());

    const key = await partnerDev.post(keysOf(sub), { kind: 'secret', name: 'shop server' });
    expect(key.status, key.text).toBe(201);
    expect(key.body.accountId).toBe(sub);
    expect((await api.get(`/v1/accounts/${sub}`, { key: key.body.secret })).status).toBe(200);
    expect((await partnerDev.patch(`${keysOf(sub)}/${key.body.id}`, { enabled: false })).status).toBe(200);
    expect((await api.get(`/v1/accounts/${sub}`, { key: key.body.secret })).status).toBe(401);
    expect((await partnerDev.get(`/v1/accounts/${sub}/audit-events?action=key.disabled`)).body.data[0].actor.type).toBe('user');
    expectError(await partnerDev.get(keysOf(rivalShop)), 404, 'resource_not_found');
    expectError(await partnerDev.post(keysOf(rivalShop), { kind: 'secret' }), 404, 'resource_not_found');
    expectError(await partnerDev.get(keysOf(merchant)), 404, 'resource_not_found');
    // The merchant's own members can't reach its partner.
    const subOwner = await member(server, api, sub, 'owner@corner.example', 'owner');
    expectError(await subOwner.get(keysOf(partner)), 404, 'resource_not_found');
    expectError(await subOwner.post('/v1/accounts', { type: 'merchant', name: 'x' }), 403, 'account_type_not_allowed');
  });

  it('the environment comes from the path: sandbox and live keys apart; live closed until go-live; operator operations stay the operator’s', async () => {
    const sandboxKey = await owner.post(keysOf(merchant), { kind: 'publishable', name: 'sandbox web' });
    expectError(await owner.as(merchant, 'live').post(keysOf(merchant), { kind: 'publishable' }), 403, 'live_environment_closed');
    expectError(await owner.as(merchant, 'live').post(`/v1/accounts/${merchant}/open-live`, {}), 403, 'permission_denied');
    const operatorOwner = await member(server, api, server.operatorId, 'ops@operator.example', 'owner');
    expect((await operatorOwner.as(server.operatorId, 'live').post(`/v1/accounts/${merchant}/open-live`, {})).status).toBe(200);

    const live = owner.as(merchant, 'live');
    const liveKey = await live.post(keysOf(merchant), { kind: 'publishable', name: 'live web' });
    expect(liveKey.status, liveKey.text).toBe(201);
    expect(liveKey.body.secret).toMatch(/^tsr_pk_live_/);
    const liveNames = (await live.get(keysOf(merchant))).body.data.map((k: any) => k.name);
    const sandboxNames = (await owner.get(keysOf(merchant))).body.data.map((k: any) => k.name);
    expect(liveNames).toEqual(['live web']);
    expect(sandboxNames).toContain('sandbox web');
    expect(sandboxNames).not.toContain('live web');
    expectError(await live.get(`${keysOf(merchant)}/${sandboxKey.body.id}`), 404, 'resource_not_found');
    expectError(await live.get(`${keysOf(merchant)}/${sandboxKey.body.id}/usage`), 404, 'resource_not_found');
    expectError(await owner.patch(`${keysOf(merchant)}/${liveKey.body.id}`, { enabled: false }), 404, 'resource_not_found');
    // Audit events land in the environment they were made in.
    expect((await live.get(`/v1/accounts/${merchant}/audit-events?action=key.created`)).body.data.map((e: any) => e.target.id)).toEqual([liveKey.body.id]);
  });

  it('two owners demoting each other at the same moment leave exactly one owner', async () => {
    const account = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'Two owners' });
    const first = await member(server, api, account, 'first@owners.example', 'owner');
    const second = await member(server, api, account, 'second@owners.example', 'owner');
    const idOf = async (client: DashboardClient) => (await client.get('/v1/session')).body.user.id as string;
    const [firstId, secondId] = [await idOf(first), await idOf(second)];
    const answers = await Promise.all([first.patch(`/v1/accounts/${account}/members/${secondId}`, { role: 'developer' }), second.patch(`/v1/accounts/${account}/members/${firstId}`, { role: 'developer' })]);
    // The loser is refused either as the last owner (both requests passed authentication) or for
    // no longer being an owner at all (the winner's change landed first): never both applied.
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.find((a) => a.status !== 200)!;
    expect([`409 last_owner`, `403 permission_denied`]).toContain(`${refused.status} ${refused.body.error.code}`);
    const roles = (await server.tessera.core.store.memberships.listByAccount(account)).map((m) => m.role);
    expect(roles.filter((r) => r === 'owner')).toHaveLength(1);
  });
});
