import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createAccount, createKey, type IssuedKey } from '../helpers/fixtures.js';
import { expectError, KIND_CODES, SECRET_FORMAT } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// The key management API of SPEC (create, list, get, PATCH, roll, delete), over HTTP.
describe('keys management', () => {
  let server: TestServer;
  let api: Api;
  let op: string;
  let merchantId: string;
  let keysPath: string;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
    const partnerId = await createAccount(api, op, { type: 'partner', name: 'Platform' });
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop', parentId: partnerId });
    keysPath = `/v1/accounts/${merchantId}/keys`;
  });
  afterAll(() => server.close());

  /** The random part of a secret: must never appear in any answer but the one that created it. */
  function secretBody(secret: string): string {
    return secret.slice(secret.lastIndexOf('_') + 1, -4);
  }

  describe('create', () => {
    const bodies = {
      secret: { kind: 'secret', name: 'Server' },
      restricted: { kind: 'restricted', name: 'Read only', permissions: ['accounts.read'] },
      publishable: { kind: 'publishable', name: 'Browser' },
      client: { kind: 'client', name: 'OAuth client', permissions: ['accounts.read'] },
    } as const;

    for (const [kind, body] of Object.entries(bodies)) {
      it(`creates a ${kind} key: the secret once, in SPEC's format; list and get never show it`, async () => {
        const created = await api.post(keysPath, { ...body, metadata: { team: 'payments' } }, { key: op });
        expect(created.status, created.text).toBe(201);
        const key = created.body;
        // Client credentials answer as OAuth names them: clientId and clientSecret.
        const secret: string = kind === 'client' ? key.clientSecret : key.secret;
        if (kind === 'client') {
          expect(key.clientId).toBe(key.id);
          expect(key.secret).toBeUndefined();
        }
        expect(key.id).toMatch(/^key_[0-9A-Za-z]+$/);
        expect(key.object).toBe('key');
        expect(key.kind).toBe(kind);
        expect(key.environment).toBe('sandbox');
        expect(key.accountId).toBe(merchantId);
        expect(key.name).toBe(body.name);
        expect(key.enabled).toBe(true);
        expect(key.status).toBe('active');
        expect(key.metadata).toEqual({ team: 'payments' });
        expect(key.permissions).toEqual('permissions' in body ? body.permissions : []);
        expect(secret).toMatch(SECRET_FORMAT);
        const prefix = `tsr_${KIND_CODES[kind as keyof typeof KIND_CODES]}_sandbox_`;
        expect(secret.startsWith(prefix)).toBe(true);
        expect(key.prefix).toBe(prefix);
        expect(key.last4).toBe(secret.slice(-4));
        expect(key.redactedSecret).toBe(`${prefix}…${secret.slice(-4)}`);
        expect(key.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(key.lastUsedAt).toBeNull();

        const got = await api.get(`${keysPath}/${key.id}`, { key: op });
        expect(got.status, got.text).toBe(200);
        expect(got.body.secret).toBeUndefined();
        expect(got.text).not.toContain(secretBody(secret));
        expect(got.body.last4).toBe(secret.slice(-4));
        expect(got.body.redactedSecret).toBe(key.redactedSecret);
        const { secret: _secret, clientId: _clientId, clientSecret: _clientSecret, ...withoutSecret } = key;
        expect(got.body).toEqual(withoutSecret);

        const listed = await api.get(keysPath, { key: op });
        expect(listed.status, listed.text).toBe(200);
        expect(listed.text).not.toContain(secretBody(secret));
        const inList = listed.body.data.find((k: { id: string }) => k.id === key.id);
        expect(inList).toEqual(withoutSecret);
        for (const item of listed.body.data) expect(Object.keys(item)).not.toContain('secret');
      });
    }

    it('the secret authenticates as the key it was issued for', async () => {
      const key = await createKey(api, op, merchantId, { kind: 'secret' });
      const account = await api.get(`/v1/accounts/${merchantId}`, { key: key.secret });
      expect(account.status, account.text).toBe(200);
      expect(account.body.id).toBe(merchantId);
    });

    it('restricted key with an unknown operation: 400 unknown_operation listing the valid ones', async () => {
      const response = await api.post(keysPath, { kind: 'restricted', permissions: ['accounts.read', 'payments.teleport'] }, { key: op });
      expectError(response, 400, 'unknown_operation', 'permissions');
      expect(response.body.error.message).toContain('payments.teleport');
      const operations = (await api.get('/v1/operations', { key: op })).body.data as { name: string }[];
      expect(operations.length).toBeGreaterThan(5);
      for (const { name } of operations) expect(response.body.error.message).toContain(name);
      expect((await api.get(keysPath, { key: op })).body.data.some((k: { permissions: string[] }) => k.permissions.includes('payments.teleport'))).toBe(false);
    });

    it('restricted key (and client credential) without permissions: 400 naming permissions', async () => {
      expectError(await api.post(keysPath, { kind: 'restricted' }, { key: op }), 400, 'missing_field', 'permissions');
      expectError(await api.post(keysPath, { kind: 'restricted', permissions: [] }, { key: op }), 400, 'missing_field', 'permissions');
      expectError(await api.post(keysPath, { kind: 'client', permissions: [] }, { key: op }), 400, 'missing_field', 'permissions');
    });

    it('publishable or secret key with permissions: 400 naming permissions', async () => {
      const before = (await api.get(keysPath, { key: op })).body.data.length;
      expectError(await api.post(keysPath, { kind: 'publishable', permissions: ['accounts.read'] }, { key: op }), 400, 'invalid_field', 'permissions');
      expectError(await api.post(keysPath, { kind: 'secret', permissions: ['accounts.read'] }, { key: op }), 400, 'invalid_field', 'permissions');
      expect((await api.get(keysPath, { key: op })).body.data.length).toBe(before);
    });

    it("a merchant's key can't be granted an operator-only operation", async () => {
      expectError(await api.post(keysPath, { kind: 'restricted', permissions: ['keys.verify'] }, { key: op }), 400, 'invalid_field', 'permissions');
    });

    it('expiry and rate limit are kept and shown; an expiry in the past is 400 naming expiresAt', async () => {
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const key = await createKey(api, op, merchantId, { kind: 'secret', expiresAt, rateLimit: { requests: 100, windowSeconds: 60 } });
      const got = await api.get(`${keysPath}/${key.id}`, { key: op });
      expect(got.body).toMatchObject({ expiresAt, rateLimit: { requests: 100, windowSeconds: 60 }, status: 'active' });
      expectError(await api.post(keysPath, { kind: 'secret', expiresAt: '2001-01-01T00:00:00Z' }, { key: op }), 400, 'invalid_field', 'expiresAt');
      expectError(await api.post(keysPath, { kind: 'secret', expiresAt: 'tomorrow' }, { key: op }), 400, 'invalid_field', 'expiresAt');
      expectError(await api.post(keysPath, { kind: 'secret', rateLimit: { requests: 0, windowSeconds: 60 } }, { key: op }), 400, 'invalid_field', 'rateLimit.requests');
    });

    it('unknown kind or unknown field: 400 naming it', async () => {
      expectError(await api.post(keysPath, { kind: 'master' }, { key: op }), 400, 'invalid_field', 'kind');
      const unknown = await api.post(keysPath, { kind: 'secret', colour: 'blue' }, { key: op });
      expectError(unknown, 400, 'unknown_field', 'colour');
      expect(unknown.body.error.message).toContain('colour');
    });
  });

  describe('list and get', () => {
    it('lists the account keys; deleted ones only with includeDeleted=true', async () => {
      const kept = await createKey(api, op, merchantId, { kind: 'secret', name: 'kept' });
      const gone = await createKey(api, op, merchantId, { kind: 'secret', name: 'gone' });
      expect((await api.delete(`${keysPath}/${gone.id}`, { key: op })).status).toBe(200);

      const ids = (r: { body: { data: { id: string }[] } }) => r.body.data.map((k) => k.id);
      const visible = await api.get(keysPath, { key: op });
      expect(visible.status).toBe(200);
      expect(visible.body.object).toBe('list');
      expect(ids(visible)).toContain(kept.id);
      expect(ids(visible)).not.toContain(gone.id);
      for (const k of visible.body.data) expect(k.status).not.toBe('deleted');

      const all = await api.get(`${keysPath}?includeDeleted=true`, { key: op });
      expect(all.status, all.text).toBe(200);
      expect(ids(all)).toContain(kept.id);
      expect(ids(all)).toContain(gone.id);
      const deleted = all.body.data.find((k: { id: string }) => k.id === gone.id);
      expect(deleted.status).toBe('deleted');
      expect(deleted.deletedAt).not.toBeNull();

      expect(ids(await api.get(`${keysPath}?includeDeleted=false`, { key: op }))).not.toContain(gone.id);
      expectError(await api.get(`${keysPath}?includeDeleted=maybe`, { key: op }), 400, 'invalid_field', 'includeDeleted');
    });

    it('get answers one key; a deleted key is still readable, marked deleted', async () => {
      const key = await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read', 'keys.read'], name: 'reader' });
      const got = await api.get(`${keysPath}/${key.id}`, { key: op });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ id: key.id, kind: 'restricted', name: 'reader', permissions: ['accounts.read', 'keys.read'], status: 'active' });
      await api.delete(`${keysPath}/${key.id}`, { key: op });
      const after = await api.get(`${keysPath}/${key.id}`, { key: op });
      expect(after.status).toBe(200);
      expect(after.body.status).toBe('deleted');
    });

    it('an unknown key id: 404 naming keyId', async () => {
      expectError(await api.get(`${keysPath}/key_doesnotexist0000000000`, { key: op }), 404, 'resource_not_found', 'keyId');
    });

    it("a key of another account through this account's path: 404", async () => {
      const otherId = await createAccount(api, op, { type: 'merchant', name: 'Other shop' });
      const foreign = await createKey(api, op, otherId, { kind: 'secret' });
      expectError(await api.get(`${keysPath}/${foreign.id}`, { key: op }), 404, 'resource_not_found', 'keyId');
      expectError(await api.patch(`${keysPath}/${foreign.id}`, { enabled: false }, { key: op }), 404, 'resource_not_found', 'keyId');
      expectError(await api.post(`${keysPath}/${foreign.id}/roll`, {}, { key: op }), 404, 'resource_not_found', 'keyId');
      expectError(await api.delete(`${keysPath}/${foreign.id}`, { key: op }), 404, 'resource_not_found', 'keyId');
      expect((await api.get(`/v1/accounts/${otherId}`, { key: foreign.secret })).status).toBe(200);
    });
  });

  describe('PATCH', () => {
    let key: IssuedKey;

    beforeAll(async () => {
      key = await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read'], name: 'before', metadata: { a: '1' } });
    });

    it('enabled=false disables the key at once, enabled=true brings it back', async () => {
      const disabled = await api.patch(`${keysPath}/${key.id}`, { enabled: false }, { key: op });
      expect(disabled.status, disabled.text).toBe(200);
      expect(disabled.body.enabled).toBe(false);
      expect(disabled.body.status).toBe('disabled');
      expect(disabled.body.secret).toBeUndefined();
      expect((await api.get(`${keysPath}/${key.id}`, { key: op })).body.enabled).toBe(false);
      expectError(await api.get(`/v1/accounts/${merchantId}`, { key: key.secret }), 401, 'credential_disabled');

      const enabled = await api.patch(`${keysPath}/${key.id}`, { enabled: true }, { key: op });
      expect(enabled.status).toBe(200);
      expect(enabled.body.status).toBe('active');
      expect((await api.get(`/v1/accounts/${merchantId}`, { key: key.secret })).status).toBe(200);
    });

    it('renames and replaces metadata, and keeps the rest', async () => {
      const patched = await api.patch(`${keysPath}/${key.id}`, { name: 'after', metadata: { b: '2' } }, { key: op });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body).toMatchObject({ name: 'after', metadata: { b: '2' }, enabled: true, permissions: ['accounts.read'] });
      const got = await api.get(`${keysPath}/${key.id}`, { key: op });
      expect(got.body).toMatchObject({ name: 'after', metadata: { b: '2' }, enabled: true, permissions: ['accounts.read'] });
      expect(Date.parse(got.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(got.body.createdAt));
    });

    it('permissions: 400 permissions_immutable, telling to create a new key; nothing changes', async () => {
      const response = await api.patch(`${keysPath}/${key.id}`, { permissions: ['accounts.read', 'keys.create'] }, { key: op });
      expectError(response, 400, 'permissions_immutable', 'permissions');
      expect(response.body.error.message).toMatch(/create a new/i);
      expect((await api.get(`${keysPath}/${key.id}`, { key: op })).body.permissions).toEqual(['accounts.read']);
      // Even combined with an allowed change, nothing is applied.
      expectError(await api.patch(`${keysPath}/${key.id}`, { name: 'sneaky', permissions: [] }, { key: op }), 400, 'permissions_immutable', 'permissions');
      expect((await api.get(`${keysPath}/${key.id}`, { key: op })).body.name).toBe('after');
    });

    it('kind or environment: 400 field_immutable naming the field', async () => {
      const kind = await api.patch(`${keysPath}/${key.id}`, { kind: 'secret' }, { key: op });
      expectError(kind, 400, 'field_immutable', 'kind');
      expect(kind.body.error.message).toContain('kind');
      expectError(await api.patch(`${keysPath}/${key.id}`, { environment: 'live' }, { key: op }), 400, 'field_immutable', 'environment');
      expect((await api.get(`${keysPath}/${key.id}`, { key: op })).body).toMatchObject({ kind: 'restricted', environment: 'sandbox' });
    });

    it('an unknown field: 400 unknown_field naming it', async () => {
      const response = await api.patch(`${keysPath}/${key.id}`, { enabled: false, expiry: 'never' }, { key: op });
      expectError(response, 400, 'unknown_field', 'expiry');
      expect(response.body.error.message).toContain('expiry');
      expect((await api.get(`${keysPath}/${key.id}`, { key: op })).body.enabled).toBe(true);
    });

    it('a wrongly typed value: 400 naming the field', async () => {
      expectError(await api.patch(`${keysPath}/${key.id}`, { enabled: 'no' }, { key: op }), 400, 'invalid_field', 'enabled');
      expectError(await api.patch(`${keysPath}/${key.id}`, { name: '' }, { key: op }), 400, 'invalid_field', 'name');
    });
  });

  describe('delete', () => {
    it('deletes now: the key gets 401 credential_deleted; PATCH, roll and DELETE again get 409 key_deleted', async () => {
      const key = await createKey(api, op, merchantId, { kind: 'secret' });
      expect((await api.get(`/v1/accounts/${merchantId}`, { key: key.secret })).status).toBe(200);
      const deleted = await api.delete(`${keysPath}/${key.id}`, { key: op });
      expect(deleted.status, deleted.text).toBe(200);
      expect(deleted.body).toMatchObject({ id: key.id, status: 'deleted' });
      expect(deleted.body.deletedAt).not.toBeNull();
      expect(deleted.body.secret).toBeUndefined();

      expectError(await api.get(`/v1/accounts/${merchantId}`, { key: key.secret }), 401, 'credential_deleted');
      expectError(await api.patch(`${keysPath}/${key.id}`, { enabled: true }, { key: op }), 409, 'key_deleted', 'keyId');
      expectError(await api.patch(`${keysPath}/${key.id}`, { name: 'zombie' }, { key: op }), 409, 'key_deleted', 'keyId');
      expectError(await api.post(`${keysPath}/${key.id}/roll`, { gracePeriodSeconds: 0 }, { key: op }), 409, 'key_deleted', 'keyId');
      expectError(await api.delete(`${keysPath}/${key.id}`, { key: op }), 409, 'key_deleted', 'keyId');
      // Enabling it again did not happen: still dead.
      expectError(await api.get(`/v1/accounts/${merchantId}`, { key: key.secret }), 401, 'credential_deleted');
    });
  });

  describe('roll', () => {
    it('gracePeriodSeconds out of range or not an integer: 400 naming the field; the old secret still works', async () => {
      const key = await createKey(api, op, merchantId, { kind: 'secret' });
      for (const gracePeriodSeconds of [-1, 604_801, 1.5, '60', 10 ** 12]) {
        expectError(await api.post(`${keysPath}/${key.id}/roll`, { gracePeriodSeconds }, { key: op }), 400, 'invalid_field', 'gracePeriodSeconds');
      }
      expectError(await api.post(`${keysPath}/${key.id}/roll`, { grace: 10 }, { key: op }), 400, 'unknown_field', 'grace');
      expect((await api.get(`/v1/accounts/${merchantId}`, { key: key.secret })).status).toBe(200);
      expect((await api.get(`${keysPath}/${key.id}`, { key: op })).body.last4).toBe(key.secret.slice(-4));
    });

    it('the upper bound, 7 days, is accepted; so is an empty body (grace 0)', async () => {
      const key = await createKey(api, op, merchantId, { kind: 'secret' });
      const week = await api.post(`${keysPath}/${key.id}/roll`, { gracePeriodSeconds: 604_800 }, { key: op });
      expect(week.status, week.text).toBe(200);
      expect(week.body.secret).toMatch(SECRET_FORMAT);
      expect(week.body.secret).not.toBe(key.secret);
      const noBody = await api.post(`${keysPath}/${key.id}/roll`, undefined, { key: op });
      expect(noBody.status, noBody.text).toBe(200);
      expectError(await api.get(`/v1/accounts/${merchantId}`, { key: week.body.secret }), 401, 'credential_rolled');
      expect((await api.get(`/v1/accounts/${merchantId}`, { key: noBody.body.secret })).status).toBe(200);
      const got = await api.get(`${keysPath}/${key.id}`, { key: op });
      expect(got.body.last4).toBe(noBody.body.secret.slice(-4));
      expect(got.text).not.toContain(secretBody(noBody.body.secret));
    });
  });
});
