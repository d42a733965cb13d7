import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTessera, type Tessera } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { Api, type ApiResponse } from '../helpers/api.js';
import { dumpRows, masterKeyIdOf, openSealed, readMasterKeyFile, sealedValues } from '../helpers/database-dump.js';
import { createAccount, createKey, type IssuedKey } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { hmacKeyOf, librarySign } from '../helpers/signing.js';

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/** The CLI as a real process (it runs from dist/: `npm run build` first). */
function cli(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args, '--json'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      let json: unknown;
      try {
        json = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

/** Another server on the same storage (data folder or database): a cold cache, its own keyring from configuration. */
async function startSecondServer(env: Record<string, string>): Promise<{ tessera: Tessera; url: string }> {
  const logStream = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const tessera = await createTessera({ config: loadConfig({ ...env, PORT: '0' }), logStream });
  return { tessera, url: await tessera.listen() };
}

/** A GET signed anew (fresh created and nonce), by http-message-signatures. */
async function signedGet(api: Api, key: IssuedKey, path: string): Promise<ApiResponse> {
  const headers = await librarySign({ method: 'GET', url: api.baseUrl + path, headers: { authorization: `Bearer ${key.secret}` }, key: hmacKeyOf(key), nonce: randomBytes(8).toString('hex') });
  return api.nodeRequest('GET', path, headers);
}

/** A POST signed anew, with an Idempotency-Key: the same key and body replay the first answer. */
async function signedIdempotentPost(api: Api, key: IssuedKey, path: string, body: string, idempotencyKey: string): Promise<ApiResponse> {
  const headers = await librarySign({
    method: 'POST',
    url: api.baseUrl + path,
    headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body,
    key: hmacKeyOf(key),
    nonce: randomBytes(8).toString('hex'),
  });
  return api.nodeRequest('POST', path, headers, body);
}

// SPEC: "the master key can rotate." Rotation by the CLI, as a separate
// process, while signed traffic and idempotent replays run against the
// server: nothing fails, and afterwards only the new key exists anywhere.
describe('master key rotation under signed traffic', () => {
  let server: TestServer;
  let api: Api;
  let merchantId: string;
  const signers: IssuedKey[] = [];
  /** Idempotent answers stored before the rotation, sealed under the old key. */
  const stored: Array<{ signer: IssuedKey; body: string; key: string; first: ApiResponse }> = [];
  /** HMAC keys created while the rotation ran. */
  const createdDuring: IssuedKey[] = [];
  let oldKeyId: string;

  const keysPath = () => `/v1/accounts/${merchantId}/keys`;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    const op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Rotating' });
    for (let i = 0; i < 4; i++) signers.push(await createKey(api, op, merchantId, { kind: 'restricted', name: `signer ${i}`, permissions: ['accounts.read', 'keys.create', 'keys.read'], generateHMAC: true }));
    for (let i = 0; i < 6; i++) {
      const signer = signers[i % signers.length]!;
      const body = JSON.stringify({ kind: 'publishable', name: `stored ${i}` });
      const key = `stored-${i}-${randomBytes(4).toString('hex')}`;
      const first = await signedIdempotentPost(api, signer, keysPath(), body, key);
      expect(first.status, first.text).toBe(201);
      expect(first.body.secret).toMatch(/^tsr_pk_sandbox_/);
      stored.push({ signer, body, key, first });
    }
    const keys = readMasterKeyFile(join(server.env.TESSERA_DATA_DIR!, 'master.key'));
    expect(keys).toHaveLength(1);
    oldKeyId = masterKeyIdOf(keys[0]!);
    const before = sealedValues((await dumpRows(server.env)).rows);
    expect(before.length).toBeGreaterThanOrEqual(signers.length + stored.length);
    for (const value of before) expect(value.keyId).toBe(oldKeyId);
  });
  afterAll(() => server.close());

  it('rotates with zero failed requests while signed traffic and replays run', async () => {
    const failures: string[] = [];
    const counts = { signed: 0, replays: 0, invalidations: 0, creates: 0 };
    let stop = false;
    const op = server.operatorKeys.sandbox;

    async function worker(w: number): Promise<void> {
      for (let i = 0; !stop; i++) {
        const signer = signers[(w + i) % signers.length]!;
        try {
          if (i % 5 === 4) {
            // A replay opens the stored answer: it must open under whichever key sealed it.
            const s = stored[(w + i) % stored.length]!;
            const replay = await signedIdempotentPost(api, s.signer, keysPath(), s.body, s.key);
            counts.replays++;
            if (replay.status !== 201 || replay.text !== s.first.text || replay.headers.get('idempotent-replayed') !== 'true') failures.push(`replay ${s.key}: ${replay.status} ${replay.text.slice(0, 200)}`);
          } else if (i % 9 === 8) {
            // A change drops the key from the cache: its next request opens the sealed secret again.
            const renamed = await api.patch(`${keysPath()}/${signer.id}`, { name: `signer ${w}.${i}` }, { key: op });
            counts.invalidations++;
            if (renamed.status !== 200) failures.push(`rename: ${renamed.status} ${renamed.text.slice(0, 200)}`);
          } else if (i % 13 === 12) {
            // New signing secrets and stored answers, sealed under whichever key is current at that moment.
            const created = await api.post(keysPath(), { kind: 'restricted', permissions: ['accounts.read'], generateHMAC: true }, { key: op, headers: { 'idempotency-key': `during-${w}-${i}` } });
            counts.creates++;
            if (created.status !== 201) failures.push(`create: ${created.status} ${created.text.slice(0, 200)}`);
            else createdDuring.push(created.body);
          } else {
            const read = await signedGet(api, signer, `/v1/accounts/${merchantId}`);
            counts.signed++;
            if (read.status !== 200) failures.push(`signed GET with ${signer.id}: ${read.status} ${read.text.slice(0, 200)}`);
          }
        } catch (error) {
          failures.push(`request error: ${(error as Error).message}`);
        }
      }
    }

    const total = () => counts.signed + counts.replays + counts.invalidations + counts.creates;
    const workers = [0, 1, 2, 3].map(worker);
    await new Promise((r) => setTimeout(r, 300));
    const before = total();
    const rotation = await cli(server.env, 'master-key', 'rotate');
    const duringRotation = total() - before;
    // Traffic goes on after the rotation too, until there is enough of each kind (however slow the machine).
    const deadline = Date.now() + 20_000;
    await new Promise((r) => setTimeout(r, 500));
    while (Date.now() < deadline && (counts.signed < 100 || counts.replays < 20 || counts.invalidations < 10 || createdDuring.length < 5)) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(workers);

    expect(rotation.code, rotation.stdout + rotation.stderr).toBe(0);
    expect(rotation.json).toMatchObject({ rotated: true, retiredKeyIds: [oldKeyId] });
    expect(rotation.json.currentKeyId).not.toBe(oldKeyId);
    expect(rotation.json.reencrypted['credentials.signing_secret_sealed']).toBeGreaterThanOrEqual(signers.length);
    expect(rotation.json.reencrypted['idempotency_records.response_sealed']).toBeGreaterThanOrEqual(stored.length);
    expect(failures, failures.slice(0, 5).join('\n')).toEqual([]);
    // Enough traffic ran to mean something, and it kept running while the CLI rotated (at least 2.5 s).
    expect(duringRotation).toBeGreaterThan(20);
    expect(counts.signed).toBeGreaterThanOrEqual(100);
    expect(counts.replays).toBeGreaterThanOrEqual(20);
    expect(counts.invalidations).toBeGreaterThanOrEqual(10);
    expect(createdDuring.length).toBeGreaterThanOrEqual(5);

    // The key file holds the new key alone, readable by its owner only.
    const file = join(server.env.TESSERA_DATA_DIR!, 'master.key');
    const keys = readMasterKeyFile(file);
    expect(keys).toHaveLength(1);
    expect(masterKeyIdOf(keys[0]!)).toBe(rotation.json.currentKeyId);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);

    // Every sealed value in the database is under the new key, and opens with it.
    const { rows } = await dumpRows(server.env);
    const sealed = sealedValues(rows);
    expect(sealed.length).toBeGreaterThanOrEqual(signers.length + stored.length + createdDuring.length * 2);
    for (const value of sealed) expect(value.keyId, `${value.table}: ${value.value.slice(0, 30)}`).toBe(rotation.json.currentKeyId);
    const credentials = new Map(rows.filter((r) => r.table === 'credentials').map((r) => [r.row.id as string, r.row]));
    for (const key of [...signers, ...createdDuring]) {
      expect(openSealed(credentials.get(key.id)!.signing_secret_sealed as string, keys[0]!, `signing:${key.id}`).toString('utf8')).toBe(key.hmacKey);
    }
  });

  it('an idempotent replay still returns the original answer, its secret included', async () => {
    for (const s of stored) {
      const replay = await signedIdempotentPost(api, s.signer, keysPath(), s.body, s.key);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(s.first.body);
      expect(replay.body.secret).toBe(s.first.body.secret);
    }
  });

  it('a second server started cold on the same storage decrypts with the new key', async () => {
    const second = await startSecondServer(server.env);
    try {
      const secondApi = new Api(second.url);
      for (const key of [...signers, ...createdDuring.slice(0, 5)]) {
        const read = await signedGet(secondApi, key, `/v1/accounts/${merchantId}`);
        expect(read.status, read.text).toBe(200);
      }
      const s = stored[0]!;
      const replay = await signedIdempotentPost(secondApi, s.signer, keysPath(), s.body, s.key);
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(s.first.body);
    } finally {
      await second.tessera.close();
    }
  });
});

describe('master key from TESSERA_MASTER_KEY', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  let server: TestServer;
  let api: Api;
  let merchantId: string;
  let signer: IssuedKey;
  let closed = false;

  beforeAll(async () => {
    server = await startTestServer({ env: { TESSERA_MASTER_KEY: oldKey } });
    api = new Api(server.url);
    merchantId = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'Env key' });
    signer = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'restricted', permissions: ['accounts.read'], generateHMAC: true });
    expect((await signedGet(api, signer, `/v1/accounts/${merchantId}`)).status).toBe(200);
  });
  afterAll(async () => {
    if (!closed) await server.close();
  });

  it('no key file is written; values are sealed under the configured key', async () => {
    expect(existsSync(join(server.env.TESSERA_DATA_DIR!, 'master.key'))).toBe(false);
    const sealed = sealedValues((await dumpRows(server.env)).rows);
    expect(sealed.length).toBeGreaterThanOrEqual(1);
    for (const value of sealed) expect(value.keyId).toBe(masterKeyIdOf(oldKey));
  });

  it('`master-key rotate` refuses, exit 2, saying how to rotate a key from the environment', async () => {
    const result = await cli(server.env, 'master-key', 'rotate');
    expect(result.code).toBe(2);
    expect(result.json.error.code).toBe('usage');
    expect(result.json.error.message).toMatch(/TESSERA_MASTER_KEY/);
    expect(result.json.error.message).toMatch(/reencrypt/);
    expect(result.json.error.message).not.toContain(oldKey);
    expect(existsSync(join(server.env.TESSERA_DATA_DIR!, 'master.key'))).toBe(false);
    for (const value of sealedValues((await dumpRows(server.env)).rows)) expect(value.keyId).toBe(masterKeyIdOf(oldKey));
  });

  it('`master-key reencrypt` with "new,old" moves every value under the new key; a server with the new key alone reads them', async () => {
    const result = await cli({ ...server.env, TESSERA_MASTER_KEY: `${newKey},${oldKey}` }, 'master-key', 'reencrypt');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.json.reencrypted['credentials.signing_secret_sealed']).toBe(1);
    const { rows } = await dumpRows(server.env);
    const sealed = sealedValues(rows);
    expect(sealed.length).toBeGreaterThanOrEqual(1);
    for (const value of sealed) expect(value.keyId).toBe(masterKeyIdOf(newKey));
    const row = rows.find((r) => r.table === 'credentials' && r.row.id === signer.id)!;
    expect(openSealed(row.row.signing_secret_sealed as string, newKey, `signing:${signer.id}`).toString('utf8')).toBe(signer.hmacKey);
    // Nothing left to do on a second run.
    const again = await cli({ ...server.env, TESSERA_MASTER_KEY: `${newKey},${oldKey}` }, 'master-key', 'reencrypt');
    expect(again.json.reencrypted['credentials.signing_secret_sealed']).toBe(0);

    await server.close();
    closed = true;
    const fresh = await startSecondServer({ ...server.env, TESSERA_MASTER_KEY: newKey });
    try {
      const read = await signedGet(new Api(fresh.url), signer, `/v1/accounts/${merchantId}`);
      expect(read.status, read.text).toBe(200);
    } finally {
      await fresh.tessera.close();
    }
  });
});
