import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createKey } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));
const SECRET_SHAPE = /\b[a-z][a-z0-9]{1,15}_(sk|rk|pk|cc|cs)_(sandbox|live)_[0-9A-Za-z]{20,}/g;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The one JSON object printed on stdout. */
  json: any;
}

// The operator's CLI, run as a real process sharing the running server's storage.
describe('CLI', () => {
  let server: TestServer;
  let api: Api;
  /** Every secret this test has seen, and which CLI call (if any) printed it first. */
  const knownSecrets = new Set<string>();

  async function cli(...args: string[]): Promise<CliResult> {
    let code = 0;
    let stdout: string;
    let stderr: string;
    try {
      ({ stdout, stderr } = await run(process.execPath, [BIN, ...args, '--json'], { env: { ...process.env, ...server.env }, encoding: 'utf8', timeout: 30_000 }));
    } catch (error) {
      const failed = error as { code?: unknown; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      code = failed.code;
      stdout = failed.stdout ?? '';
      stderr = failed.stderr ?? '';
    }
    // Exactly one JSON object on stdout, on one line.
    const lines = stdout.split('\n').filter((l) => l !== '');
    expect(lines, `tessera ${args.join(' ')} printed:\n${stdout}\n${stderr}`).toHaveLength(1);
    const json = JSON.parse(lines[0]!);
    expect(typeof json).toBe('object');
    expect(json).not.toBeNull();
    expect(Array.isArray(json)).toBe(false);
    // Nothing secret, except the secret this very call created.
    const created = typeof json.secret === 'string' ? json.secret : null;
    for (const match of `${stdout}\n${stderr}`.matchAll(SECRET_SHAPE)) {
      expect(match[0], `tessera ${args.join(' ')} printed a secret it did not create`).toBe(created);
    }
    for (const secret of knownSecrets) {
      expect(stdout.includes(secret) || stderr.includes(secret), `tessera ${args.join(' ')} printed an earlier secret`).toBe(false);
      expect(stdout + stderr).not.toContain(secret.slice(-39, -6));
    }
    if (created !== null) knownSecrets.add(created);
    return { code, stdout, stderr, json };
  }

  async function expectOk(...args: string[]): Promise<any> {
    const result = await cli(...args);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.json.error).toBeUndefined();
    return result.json;
  }

  async function expectFailure(code: number, errorCode: string, ...args: string[]): Promise<{ code: string; message: string }> {
    const result = await cli(...args);
    expect(result.code, result.stdout + result.stderr).toBe(code);
    expect(result.json.error?.code, result.stdout).toBe(errorCode);
    expect(typeof result.json.error.message).toBe('string');
    return result.json.error;
  }

  /** A merchant's account read with a key: the request every "is this key still good" check makes. */
  async function useKey(accountId: string, secret: string) {
    return api.get(`/v1/accounts/${accountId}`, { key: secret });
  }

  async function expect401(accountId: string, secret: string, code: string): Promise<void> {
    const response = await useKey(accountId, secret);
    expect(response.status, response.text).toBe(401);
    expect(response.body.error.code).toBe(code);
  }

  let partnerId: string;
  let merchantId: string;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    knownSecrets.add(server.operatorKeys.sandbox);
    knownSecrets.add(server.operatorKeys.live);
  });
  afterAll(() => server.close());

  it('accounts create: a partner, then a merchant under it', async () => {
    const partner = await expectOk('accounts', 'create', '--type', 'partner', '--name', 'P');
    expect(partner).toMatchObject({ id: expect.stringMatching(/^acct_/), type: 'partner', name: 'P', parentId: null, liveEnabled: false });
    partnerId = partner.id;
    const merchant = await expectOk('accounts', 'create', '--type', 'merchant', '--parent', partnerId, '--name', 'M');
    expect(merchant).toMatchObject({ id: expect.stringMatching(/^acct_/), type: 'merchant', name: 'M', parentId: partnerId });
    merchantId = merchant.id;
    // The server sees them at once.
    const read = await api.get(`/v1/accounts/${merchantId}`, { key: server.operatorKeys.sandbox });
    expect(read.status).toBe(200);
    expect(read.body.parentId).toBe(partnerId);
  });

  it('accounts create refuses a parent that is not a partner', async () => {
    const error = await expectFailure(1, 'invalid_field', 'accounts', 'create', '--type', 'merchant', '--parent', merchantId, '--name', 'X');
    expect(error.message).toContain('parentId');
  });

  it('accounts list: every account, the operator included', async () => {
    const { accounts } = await expectOk('accounts', 'list');
    const byId = new Map(accounts.map((a: { id: string }) => [a.id, a]));
    expect(byId.get(server.operatorId)).toMatchObject({ type: 'operator' });
    expect(byId.get(partnerId)).toMatchObject({ type: 'partner', name: 'P' });
    expect(byId.get(merchantId)).toMatchObject({ type: 'merchant', name: 'M', parentId: partnerId });
  });

  it('keys create: secret, restricted and publishable, with names and permissions', async () => {
    const secret = await expectOk('keys', 'create', '--account', merchantId, '--kind', 'secret', '--name', 'Server');
    expect(secret).toMatchObject({ id: expect.stringMatching(/^key_/), kind: 'secret', environment: 'sandbox', name: 'Server', accountId: merchantId, status: 'active' });
    expect(secret.secret).toMatch(/^tsr_sk_sandbox_[0-9A-Za-z]{39}$/);
    expect((await useKey(merchantId, secret.secret)).status).toBe(200);

    const restricted = await expectOk('keys', 'create', '--account', merchantId, '--kind', 'restricted', '--permission', 'accounts.read', '--permission', 'keys.read');
    expect(restricted.secret).toMatch(/^tsr_rk_sandbox_/);
    expect(restricted.permissions).toEqual(['accounts.read', 'keys.read']);
    expect((await api.get(`/v1/accounts/${merchantId}/keys`, { key: restricted.secret })).status).toBe(200);
    expect((await api.post(`/v1/accounts/${merchantId}/keys`, { kind: 'secret' }, { key: restricted.secret })).status).toBe(403);

    const publishable = await expectOk('keys', 'create', '--account', merchantId, '--kind', 'publishable');
    expect(publishable.secret).toMatch(/^tsr_pk_sandbox_/);
    expect((await api.get('/v1/operations', { key: publishable.secret })).status).toBe(200);
  });

  it('keys create --env live is refused before open-live, with a clear error, and works after', async () => {
    const error = await expectFailure(1, 'live_environment_closed', 'keys', 'create', '--account', merchantId, '--kind', 'secret', '--env', 'live');
    expect(error.message).toContain('open-live');
    expect(error.message).toContain(merchantId);
    const opened = await expectOk('accounts', 'open-live', merchantId);
    expect(opened).toMatchObject({ id: merchantId, liveEnabled: true });
    const live = await expectOk('keys', 'create', '--account', merchantId, '--kind', 'secret', '--env', 'live');
    expect(live).toMatchObject({ environment: 'live' });
    expect(live.secret).toMatch(/^tsr_sk_live_/);
    expect((await useKey(merchantId, live.secret)).status).toBe(200);
  });

  it('keys create with an unknown --permission lists the valid operations', async () => {
    const error = await expectFailure(1, 'unknown_operation', 'keys', 'create', '--account', merchantId, '--kind', 'restricted', '--permission', 'keys.explode');
    expect(error.message).toContain('keys.explode');
    for (const op of ['keys.create', 'keys.read', 'accounts.read', 'audit_events.read']) expect(error.message).toContain(op);
  });

  it('keys list: the keys without their secrets', async () => {
    const { keys } = await expectOk('keys', 'list', '--account', merchantId);
    expect(keys.length).toBeGreaterThanOrEqual(4);
    for (const key of keys) {
      expect(key).not.toHaveProperty('secret');
      expect(key.redactedSecret).toMatch(/^tsr_(sk|rk|pk)_(sandbox|live)_…[0-9A-Za-z]{4}$/);
    }
    // cli() already checked that no secret appears anywhere in the output.
  });

  it('THE KEY TEST: keys disable through the CLI bites on the very next request to the running server', async () => {
    const issued = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret', name: 'to disable' });
    knownSecrets.add(issued.secret);
    // Used once: now it is in the server's cache.
    expect((await useKey(merchantId, issued.secret)).status).toBe(200);
    expect((await useKey(merchantId, issued.secret)).status).toBe(200);
    const disabled = await expectOk('keys', 'disable', '--account', merchantId, issued.id);
    expect(disabled).toMatchObject({ id: issued.id, enabled: false, status: 'disabled' });
    await expect401(merchantId, issued.secret, 'credential_disabled');
    const enabled = await expectOk('keys', 'enable', '--account', merchantId, issued.id);
    expect(enabled).toMatchObject({ id: issued.id, enabled: true, status: 'active' });
    expect((await useKey(merchantId, issued.secret)).status).toBe(200);
    // And again: a second disable after the re-enabled key was cached once more.
    await expectOk('keys', 'disable', '--account', merchantId, issued.id);
    await expect401(merchantId, issued.secret, 'credential_disabled');
  });

  it('keys delete through the CLI: the next request gets credential_deleted', async () => {
    const issued = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret', name: 'to delete' });
    knownSecrets.add(issued.secret);
    expect((await useKey(merchantId, issued.secret)).status).toBe(200);
    const deleted = await expectOk('keys', 'delete', '--account', merchantId, issued.id);
    expect(deleted).toMatchObject({ id: issued.id, status: 'deleted' });
    expect(deleted.deletedAt).not.toBeNull();
    await expect401(merchantId, issued.secret, 'credential_deleted');
    // Deleted is final.
    await expectFailure(1, 'key_deleted', 'keys', 'enable', '--account', merchantId, issued.id);
    await expect401(merchantId, issued.secret, 'credential_deleted');
    // Left out of the list, shown with --include-deleted.
    expect((await expectOk('keys', 'list', '--account', merchantId)).keys.map((k: { id: string }) => k.id)).not.toContain(issued.id);
    expect((await expectOk('keys', 'list', '--account', merchantId, '--include-deleted')).keys.map((k: { id: string }) => k.id)).toContain(issued.id);
  });

  it('keys roll --grace 0 through the CLI: the old secret fails on the next request, the new one works', async () => {
    const issued = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret', name: 'to roll' });
    knownSecrets.add(issued.secret);
    expect((await useKey(merchantId, issued.secret)).status).toBe(200);
    const rolled = await expectOk('keys', 'roll', '--account', merchantId, issued.id, '--grace', '0');
    expect(rolled.id).toBe(issued.id);
    expect(rolled.secret).toMatch(/^tsr_sk_sandbox_/);
    expect(rolled.secret).not.toBe(issued.secret);
    expect(rolled.last4).toBe(rolled.secret.slice(-4));
    const old = await useKey(merchantId, issued.secret);
    expect(old.status, old.text).toBe(401);
    expect(['credential_rolled', 'unknown_credential']).toContain(old.body.error.code);
    expect((await useKey(merchantId, rolled.secret)).status).toBe(200);
  });

  it('keys roll --grace 3600: both secrets work during the grace period', async () => {
    const issued = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret', name: 'graceful' });
    knownSecrets.add(issued.secret);
    expect((await useKey(merchantId, issued.secret)).status).toBe(200);
    const before = Date.now();
    const rolled = await expectOk('keys', 'roll', '--account', merchantId, issued.id, '--grace', '3600');
    const ends = Date.parse(rolled.previousSecretExpiresAt);
    expect(ends).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(ends).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
    expect((await useKey(merchantId, issued.secret)).status).toBe(200);
    expect((await useKey(merchantId, rolled.secret)).status).toBe(200);
  });

  it('verify: {valid: true, principal} for a good key, {valid: false, code} and exit 1 otherwise', async () => {
    const issued = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'restricted', permissions: ['accounts.read'] });
    knownSecrets.add(issued.secret);
    const good = await expectOk('verify', issued.secret);
    expect(good).toEqual({
      valid: true,
      principal: { accountId: merchantId, accountType: 'merchant', environment: 'sandbox', keyId: issued.id, kind: 'restricted', permissions: ['accounts.read'] },
    });
    expect((await expectOk('verify', issued.secret, '--operation', 'accounts.read')).valid).toBe(true);

    const denied = await cli('verify', issued.secret, '--operation', 'keys.create');
    expect(denied.code).toBe(1);
    expect(denied.json).toMatchObject({ valid: false, code: 'permission_denied' });

    const typo = issued.secret.slice(0, -8) + (issued.secret.at(-8) === 'a' ? 'b' : 'a') + issued.secret.slice(-7);
    const bad = await cli('verify', typo);
    expect(bad.code).toBe(1);
    expect(bad.json).toMatchObject({ valid: false, code: 'invalid_checksum' });
    expect(bad.stdout).not.toContain(typo);

    const malformed = await cli('verify', 'not-a-key');
    expect(malformed.code).toBe(1);
    expect(malformed.json).toMatchObject({ valid: false, code: 'malformed_credential' });

    await expectOk('keys', 'disable', '--account', merchantId, issued.id);
    const disabled = await cli('verify', issued.secret);
    expect(disabled.code).toBe(1);
    expect(disabled.json).toMatchObject({ valid: false, code: 'credential_disabled' });
  });

  it('usage errors exit 2 with a JSON error', async () => {
    const cases: string[][] = [
      ['accounts', 'create', '--name', 'No type'],
      ['accounts', 'create', '--type', 'bank', '--name', 'X'],
      ['accounts', 'create', '--type', 'merchant'],
      ['accounts', 'open-live'],
      ['accounts', 'frobnicate'],
      ['keys', 'create', '--kind', 'secret'],
      ['keys', 'create', '--account', merchantId],
      ['keys', 'create', '--account', merchantId, '--kind', 'banana'],
      ['keys', 'create', '--account', merchantId, '--kind', 'secret', '--env', 'production'],
      ['keys', 'create', '--account', merchantId, '--kind', 'secret', '--rate-limit', 'lots'],
      ['keys', 'create', '--account', merchantId, '--kind', 'secret', '--bogus-flag'],
      ['keys', 'disable', '--account', merchantId],
      ['keys', 'frobnicate', '--account', merchantId],
      ['verify'],
      ['verify', 'tsr_sk_sandbox_x', '--operation', 'nope.nope'],
      ['frobnicate'],
    ];
    // Independent and mostly refused before storage is opened: run them side by side.
    const results = await Promise.all(cases.map((args) => cli(...args)));
    for (const [i, result] of results.entries()) {
      const args = cases[i]!;
      expect(result.code, `tessera ${args.join(' ')}: ${result.stdout}`).toBe(2);
      expect(result.json.error.code).toBe('usage');
      expect(result.json.error.message.length).toBeGreaterThan(5);
    }
  });

  it('a secret passed where an id belongs is not printed back', async () => {
    const issued = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret', name: 'misplaced' });
    knownSecrets.add(issued.secret);
    // cli() fails the test if either output contains the secret.
    await expectFailure(1, 'resource_not_found', 'keys', 'disable', '--account', merchantId, issued.secret);
    await expectFailure(1, 'resource_not_found', 'keys', 'list', '--account', issued.secret);
  });

  it('an unknown account or key is an error (exit 1), not a usage error', async () => {
    await expectFailure(1, 'resource_not_found', 'keys', 'list', '--account', 'acct_doesnotexist000000');
    await expectFailure(1, 'resource_not_found', 'keys', 'disable', '--account', merchantId, 'key_doesnotexist000000');
    await expectFailure(1, 'resource_not_found', 'accounts', 'open-live', 'acct_doesnotexist000000');
  });
});
