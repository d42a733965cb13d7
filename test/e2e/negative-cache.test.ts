import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createTessera } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { generateSecret } from '../../src/domain/key-format.js';
import { CredentialsRepository } from '../../src/storage/credentials-repository.js';
import { Api } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { eventually, expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testDatabaseKind } from '../helpers/database.js';

// SPEC: "a checksum ... so a typo or a scanner's candidate is rejected without a database look-up";
// "digest look-up (memory, then database)"; "Disabled keys fail on every node within a second".
describe('credential cache and negative cache', () => {
  let server: TestServer;
  let api: Api;
  let op: string;
  let merchantId: string;
  let lookups: MockInstance;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
    // Warm the operator key so that setup calls below never count.
    await api.get(`/v1/accounts/${merchantId}`, { key: op });
  });
  afterAll(() => server.close());

  beforeEach(() => {
    lookups = vi.spyOn(server.tessera.core.store.credentials, 'findAuthRecord');
  });
  afterEach(() => {
    lookups.mockRestore();
  });

  const hit = (key: string) => api.get(`/v1/accounts/${merchantId}`, { key });

  it('100 malformed keys and 100 bad-checksum keys: no database look-up at all', async () => {
    const valid = generateSecret('tsr', 'secret', 'sandbox');
    const malformed = ['garbage', `${valid}x`, valid.replace('tsr_', 'foo_'), valid.replace('_sandbox_', '_staging_'), 'tsr_sk_sandbox_!!!'];
    for (let i = 0; i < 100; i++) expectError(await hit(malformed[i % malformed.length]!), 401, 'malformed_credential');
    for (let i = 0; i < 100; i++) {
      // A different typo each time: none can be served from a cache of earlier answers.
      const pos = 15 + (i % 33);
      const typo = valid.slice(0, pos) + (valid[pos] === 'a' ? 'b' : 'a') + valid.slice(pos + 1);
      expectError(await hit(typo), 401, 'invalid_checksum');
    }
    expect(lookups).toHaveBeenCalledTimes(0);
  });

  it('the same well-formed unknown key 100 times: exactly one look-up', async () => {
    const unknown = generateSecret('tsr', 'secret', 'sandbox');
    for (let i = 0; i < 60; i++) expectError(await hit(unknown), 401, 'unknown_credential');
    // Concurrent repeats are answered from the negative cache too.
    const burst = await Promise.all(Array.from({ length: 40 }, () => hit(unknown)));
    for (const r of burst) expectError(r, 401, 'unknown_credential');
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('the same unknown client secret 50 times: exactly one look-up', async () => {
    const clientSecretLookups = vi.spyOn(server.tessera.core.store.clientSecrets, 'findByDigest');
    try {
      const unknown = generateSecret('tsr', 'client_secret', 'sandbox');
      for (let i = 0; i < 50; i++) expectError(await hit(unknown), 401, 'unknown_credential');
      expect(clientSecretLookups).toHaveBeenCalledTimes(1);
    } finally {
      clientSecretLookups.mockRestore();
    }
  });

  it('100 concurrent first uses of an unknown key share one look-up', async () => {
    const unknown = generateSecret('tsr', 'restricted', 'sandbox');
    const burst = await Promise.all(Array.from({ length: 100 }, () => hit(unknown)));
    for (const r of burst) expectError(r, 401, 'unknown_credential');
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('a valid key used 100 times: one look-up', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'secret' });
    lookups.mockClear();
    for (let i = 0; i < 100; i++) expect((await hit(key.secret)).status).toBe(200);
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('disabling a key through the API drops it from the cache: the very next request is 401', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'secret' });
    for (let i = 0; i < 5; i++) expect((await hit(key.secret)).status).toBe(200);
    const disabled = await api.patch(`/v1/accounts/${merchantId}/keys/${key.id}`, { enabled: false }, { key: op });
    expect(disabled.status).toBe(200);
    lookups.mockClear();
    expectError(await hit(key.secret), 401, 'credential_disabled');
    expect(lookups).toHaveBeenCalledTimes(1); // re-read from the database
    // Then cached again (once the change feed has echoed our own change back, which may drop it once more).
    await new Promise((resolve) => setTimeout(resolve, 200));
    lookups.mockClear();
    for (let i = 0; i < 20; i++) expectError(await hit(key.secret), 401, 'credential_disabled');
    expect(lookups.mock.calls.length).toBeLessThanOrEqual(1);

    expect((await api.patch(`/v1/accounts/${merchantId}/keys/${key.id}`, { enabled: true }, { key: op })).status).toBe(200);
    expect((await hit(key.secret)).status).toBe(200);
  });

  it('deleting and rolling drop the cached key the same way', async () => {
    const deleted = await createKey(api, op, merchantId, { kind: 'secret' });
    expect((await hit(deleted.secret)).status).toBe(200);
    await api.delete(`/v1/accounts/${merchantId}/keys/${deleted.id}`, { key: op });
    expectError(await hit(deleted.secret), 401, 'credential_deleted');

    const rolled = await createKey(api, op, merchantId, { kind: 'secret' });
    expect((await hit(rolled.secret)).status).toBe(200);
    await api.post(`/v1/accounts/${merchantId}/keys/${rolled.id}/roll`, { gracePeriodSeconds: 0 }, { key: op });
    expectError(await hit(rolled.secret), 401, 'credential_rolled');
  });

  it('a disable racing with a look-up in flight can not put the stale record back', async () => {
    const key = await createKey(api, op, merchantId, { kind: 'secret' });
    // Hold the first database read until the disable has committed and invalidated.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const repository = server.tessera.core.store.credentials;
    lookups.mockImplementationOnce(async (digest: string) => {
      const record = await CredentialsRepository.prototype.findAuthRecord.call(repository, digest);
      await gate;
      return record;
    });
    const inFlight = hit(key.secret);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await api.patch(`/v1/accounts/${merchantId}/keys/${key.id}`, { enabled: false }, { key: op })).status).toBe(200);
    release();
    await inFlight; // read before the disable: may still pass
    expectError(await hit(key.secret), 401, 'credential_disabled');
  });

  it('another server on the same data folder refuses a key disabled through this one on its very next request', async () => {
    const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const node2 = await createTessera({ config: loadConfig({ ...server.env, PORT: '0' }), logStream: silent });
    try {
      const api2 = new Api(await node2.listen());
      const key = await createKey(api, op, merchantId, { kind: 'secret' });
      for (let i = 0; i < 3; i++) expect((await api2.get(`/v1/accounts/${merchantId}`, { key: key.secret })).status).toBe(200);
      expect(node2.authenticator.cache.size).toBeGreaterThan(0);
      expect((await api.patch(`/v1/accounts/${merchantId}/keys/${key.id}`, { enabled: false }, { key: op })).status).toBe(200);
      expectError(await api2.get(`/v1/accounts/${merchantId}`, { key: key.secret }), 401, 'credential_disabled');
    } finally {
      await node2.close();
    }
  });

  // Another machine: only PostgreSQL can be shared without sharing the data folder.
  if (testDatabaseKind() === 'postgres') it('a node with its own data folder on the same PostgreSQL drops a disabled key within a second', async () => {
    const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const ownDir = mkdtempSync(join(tmpdir(), 'tessera-node2-'));
    // Nodes share the database and the master key (configuration), nothing else.
    const node2 = await createTessera({ config: loadConfig({ ...server.env, TESSERA_DATA_DIR: ownDir, TESSERA_MASTER_KEY_FILE: join(server.env.TESSERA_DATA_DIR!, 'master.key'), PORT: '0' }), logStream: silent });
    try {
      const api2 = new Api(await node2.listen());
      const key = await createKey(api, op, merchantId, { kind: 'secret' });
      expect((await api2.get(`/v1/accounts/${merchantId}`, { key: key.secret })).status).toBe(200);
      expect((await api.patch(`/v1/accounts/${merchantId}/keys/${key.id}`, { enabled: false }, { key: op })).status).toBe(200);
      const disabledAt = Date.now();
      await eventually(async () => expectError(await api2.get(`/v1/accounts/${merchantId}`, { key: key.secret }), 401, 'credential_disabled'), 2000, 10);
      expect(Date.now() - disabledAt).toBeLessThan(1000);
    } finally {
      await node2.close();
    }
  });
});
