import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSecret } from '../../src/domain/key-format.js';
import { Api } from '../helpers/api.js';
import { createAccount, createKey, openLive, type IssuedKey } from '../helpers/fixtures.js';
import { createOperatorKey, expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// SPEC: "POST /v1/keys/verify — is this credential good for this operation? — operator service key".
describe('POST /v1/keys/verify', () => {
  let server: TestServer;
  let api: Api;
  let clock = Date.parse('2030-09-01T00:00:00Z');
  let op: string;
  let verifier: { id: string; secret: string };
  let partnerId: string;
  let partnerKey: IssuedKey;
  let merchantId: string;
  let merchantKey: IssuedKey;

  beforeAll(async () => {
    server = await startTestServer({ now: () => clock });
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
    verifier = await createOperatorKey(server, { kind: 'restricted', environment: 'sandbox', permissions: ['keys.verify'], name: 'gateway' });
    partnerId = await createAccount(api, op, { type: 'partner', name: 'Platform' });
    partnerKey = await createKey(api, op, partnerId, { kind: 'secret' });
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop', parentId: partnerId });
    merchantKey = await createKey(api, op, merchantId, { kind: 'secret' });
  });
  afterAll(() => server.close());

  async function verify(body: Record<string, unknown>, key = op) {
    const response = await api.post('/v1/keys/verify', body, { key });
    expect(response.status, response.text).toBe(200);
    return response;
  }

  async function expectInvalid(body: Record<string, unknown>, code: string, key = op) {
    const response = await verify(body, key);
    expect(response.body.valid, response.text).toBe(false);
    expect(response.body.code).toBe(code);
    expect(typeof response.body.message).toBe('string');
    expect(response.body.principal ?? null).toBeNull();
    return response;
  }

  it('a good key: valid, with its principal', async () => {
    for (const key of [op, verifier.secret]) {
      const response = await verify({ credential: merchantKey.secret }, key);
      expect(response.body).toEqual({
        valid: true,
        principal: { accountId: merchantId, accountType: 'merchant', environment: 'sandbox', keyId: merchantKey.id, kind: 'secret', permissions: [] },
      });
      expect(response.text).not.toContain(merchantKey.secret);
    }
  });

  it('a restricted key, for an operation it names: valid, with its permissions', async () => {
    const restricted = await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read', 'keys.read'] });
    const response = await verify({ credential: restricted.secret, operation: 'keys.read' });
    expect(response.body).toEqual({
      valid: true,
      principal: { accountId: merchantId, accountType: 'merchant', environment: 'sandbox', keyId: restricted.id, kind: 'restricted', permissions: ['accounts.read', 'keys.read'] },
    });
  });

  it('accepts a whole Authorization header value, Bearer or Basic', async () => {
    expect((await verify({ credential: `Bearer ${merchantKey.secret}` })).body.valid).toBe(true);
    const basic = Buffer.from(`${merchantKey.id}:${merchantKey.secret}`).toString('base64');
    expect((await verify({ credential: `Basic ${basic}` })).body.valid).toBe(true);
    const wrongUser = Buffer.from(`key_someoneelse000000000:${merchantKey.secret}`).toString('base64');
    await expectInvalid({ credential: `Basic ${wrongUser}` }, 'key_id_mismatch');
  });

  it('a key lacking the operation: permission_denied', async () => {
    const reader = await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read'] });
    const denied = await expectInvalid({ credential: reader.secret, operation: 'keys.create' }, 'permission_denied');
    expect(denied.body.message).toContain('keys.create');
    expect((await verify({ credential: reader.secret, operation: 'accounts.read' })).body.valid).toBe(true);
    // A merchant's secret key may not manage keys, a publishable key may not read accounts.
    await expectInvalid({ credential: merchantKey.secret, operation: 'keys.create' }, 'cannot_manage_own_keys');
    const publishable = await createKey(api, op, merchantId, { kind: 'publishable' });
    await expectInvalid({ credential: publishable.secret, operation: 'accounts.read' }, 'permission_denied');
    expect((await verify({ credential: publishable.secret, operation: 'operations.list' })).body.valid).toBe(true);
    // Operator-only operations, for a merchant key.
    await expectInvalid({ credential: merchantKey.secret, operation: 'keys.verify' }, 'permission_denied');
  });

  it('a disabled key: credential_disabled; enabled again: valid', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'secret' });
    expect((await verify({ credential: key.secret })).body.valid).toBe(true);
    await api.patch(`/v1/accounts/${merchantId}/keys/${key.id}`, { enabled: false }, { key: op });
    await expectInvalid({ credential: key.secret }, 'credential_disabled');
    await api.patch(`/v1/accounts/${merchantId}/keys/${key.id}`, { enabled: true }, { key: op });
    expect((await verify({ credential: key.secret })).body.valid).toBe(true);
  });

  it('deleted and rolled keys: credential_deleted, credential_rolled', async () => {
    const deleted = await createKey(api, op, merchantId, { kind: 'secret' });
    await api.delete(`/v1/accounts/${merchantId}/keys/${deleted.id}`, { key: op });
    await expectInvalid({ credential: deleted.secret }, 'credential_deleted');
    const rolled = await createKey(api, op, merchantId, { kind: 'secret' });
    await api.post(`/v1/accounts/${merchantId}/keys/${rolled.id}/roll`, { gracePeriodSeconds: 0 }, { key: op });
    await expectInvalid({ credential: rolled.secret }, 'credential_rolled');
  });

  it('an unknown, well-formed key: unknown_credential', async () => {
    await expectInvalid({ credential: generateSecret('tsr', 'secret', 'sandbox') }, 'unknown_credential');
  });

  it('malformed or mistyped: malformed_credential, invalid_checksum', async () => {
    for (const credential of ['hello', 'tsr_sk_sandbox_short', merchantKey.secret.replace('tsr_', 'abc_'), 'Token abc']) {
      const response = await expectInvalid({ credential }, 'malformed_credential');
      expect(response.text).not.toContain(merchantKey.secret.slice(15, -4));
    }
    const last = merchantKey.secret.at(-8) === 'a' ? 'b' : 'a';
    await expectInvalid({ credential: merchantKey.secret.slice(0, -8) + last + merchantKey.secret.slice(-7) }, 'invalid_checksum');
  });

  it('an expired key: credential_expired, by the server clock', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'secret', expiresAt: new Date(clock + 60_000).toISOString() });
    expect((await verify({ credential: key.secret })).body.valid).toBe(true);
    clock += 60_000;
    await expectInvalid({ credential: key.secret }, 'credential_expired');
  });

  it('a credential of the other environment: environment_mismatch, without reading it', async () => {
    await openLive(api, server.operatorKeys.live, merchantId);
    const liveKey = await createKey(api, server.operatorKeys.live, merchantId, { kind: 'secret' });
    const lookups = vi.spyOn(server.tessera.core.store.credentials, 'findAuthRecord');
    try {
      const mismatch = await expectInvalid({ credential: liveKey.secret }, 'environment_mismatch');
      expect(mismatch.text).not.toContain(liveKey.id);
      expect(mismatch.text).not.toContain(merchantId);
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
    await expectInvalid({ credential: merchantKey.secret }, 'environment_mismatch', server.operatorKeys.live);
    const live = await verify({ credential: liveKey.secret }, server.operatorKeys.live);
    expect(live.body.valid).toBe(true);
    expect(live.body.principal).toMatchObject({ environment: 'live', keyId: liveKey.id });
    // A caller can't ask about the other environment at all.
    expectError(await api.post('/v1/keys/verify', { credential: liveKey.secret, environment: 'live' }, { key: op }), 403, 'environment_mismatch', 'environment');
    expectError(await api.post('/v1/keys/verify', { credential: merchantKey.secret, environment: 'sandbox' }, { key: server.operatorKeys.live }), 403, 'environment_mismatch', 'environment');
    expect((await verify({ credential: merchantKey.secret, environment: 'sandbox' })).body.valid).toBe(true);
  });

  it("anyone but the operator's credentials: 403", async () => {
    const merchantRestricted = await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read', 'keys.read'] });
    const operatorReader = await createOperatorKey(server, { kind: 'restricted', environment: 'sandbox', permissions: ['accounts.read'] });
    for (const key of [merchantKey.secret, partnerKey.secret, merchantRestricted.secret, operatorReader.secret]) {
      expectError(await api.post('/v1/keys/verify', { credential: merchantKey.secret }, { key }), 403, 'permission_denied');
    }
    expectError(await api.post('/v1/keys/verify', { credential: merchantKey.secret }), 401, 'missing_credential');
  });

  it('an unknown operation: 400 unknown_operation naming it', async () => {
    const response = await api.post('/v1/keys/verify', { credential: merchantKey.secret, operation: 'money.print' }, { key: op });
    expectError(response, 400, 'unknown_operation', 'operation');
    expect(response.body.error.message).toContain('money.print');
  });

  it('bad input: 400 naming the field', async () => {
    expectError(await api.post('/v1/keys/verify', {}, { key: op }), 400, 'missing_field', 'credential');
    expectError(await api.post('/v1/keys/verify', { credential: merchantKey.secret, environment: 'prod' }, { key: op }), 400, 'invalid_field', 'environment');
    expectError(await api.post('/v1/keys/verify', { credential: merchantKey.secret, extra: 1 }, { key: op }), 400, 'unknown_field', 'extra');
  });
});
