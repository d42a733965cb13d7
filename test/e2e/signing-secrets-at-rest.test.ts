import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { dumpRows, findSecrets, masterKeyIdOf, openSealed, rawFiles, readMasterKeyFile, sealedValues } from '../helpers/database-dump.js';
import { testDatabaseKind } from '../helpers/database.js';
import { createAccount, createKey, type IssuedKey } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { hmacKeyOf, librarySign } from '../helpers/signing.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

// SPEC: "Secrets the server must reuse (signing and webhook secrets) are
// stored encrypted (AES-256-GCM) under a master key that comes from
// configuration, never from the database." Checked by reading everything the
// server keeps for HMAC signing secrets, and nothing at all for Ed25519.
describe('signing secrets at rest', () => {
  let server: TestServer;
  let api: Api;
  let closed = false;
  let merchantId: string;
  const hmacKeys: IssuedKey[] = [];
  let edKey: IssuedKey;
  let edPublicRaw: string;
  let plain: IssuedKey;
  /** Answers that must not show a signing secret: every read after creation. */
  const reads: ApiResponse[] = [];
  const hmacSecrets = () => hmacKeys.map((k) => k.hmacKey as string);

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    const op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'At rest' });
    const keys = `/v1/accounts/${merchantId}/keys`;
    hmacKeys.push(await createKey(api, op, merchantId, { kind: 'secret', generateHMAC: true, name: 'rfc 9421' }));
    hmacKeys.push(await createKey(api, op, merchantId, { kind: 'restricted', permissions: ['accounts.read', 'keys.read'], generateHMAC: true, signatureScheme: 'payload-signature' }));
    // An idempotent create: its answer, hmacKey included, is stored for replays (sealed).
    const idem = { 'idempotency-key': 'hmac-create-0001' };
    const first = await api.post(keys, { kind: 'restricted', permissions: ['accounts.read'], generateHMAC: true }, { key: op, headers: idem });
    expect(first.status, first.text).toBe(201);
    const replay = await api.post(keys, { kind: 'restricted', permissions: ['accounts.read'], generateHMAC: true }, { key: op, headers: idem });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.hmacKey).toBe(first.body.hmacKey);
    hmacKeys.push(first.body);
    // And one made by the operator's CLI, in its own process.
    const { stdout } = await run(process.execPath, [BIN, 'keys', 'create', '--account', merchantId, '--kind', 'secret', '--hmac', '--json'], { env: { ...process.env, ...server.env }, encoding: 'utf8', timeout: 30_000 });
    const fromCli = JSON.parse(stdout.trim());
    expect(fromCli.hmacKey).toMatch(/^tsr_hk_sandbox_/);
    hmacKeys.push(fromCli);
    const pair = generateKeyPairSync('ed25519');
    edKey = await createKey(api, op, merchantId, { kind: 'secret', signingPublicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString() });
    const der = pair.publicKey.export({ format: 'der', type: 'spki' });
    edPublicRaw = der.subarray(der.length - 32).toString('base64');
    plain = await createKey(api, op, merchantId, { kind: 'secret' });
    for (const secret of hmacSecrets()) expect(secret).toMatch(/^tsr_hk_sandbox_[0-9A-Za-z]{39}$/);
    expect(new Set(hmacSecrets()).size).toBe(4);
  });
  afterAll(async () => {
    if (!closed) await server.close();
  });

  it('the keys work: the server opens the sealed secret to verify signatures', async () => {
    for (const key of [hmacKeys[0]!, hmacKeys[3]!]) {
      const path = `/v1/accounts/${merchantId}`;
      const headers = await librarySign({ method: 'GET', url: server.url + path, headers: { authorization: `Bearer ${key.secret}` }, key: hmacKeyOf(key) });
      const response = await api.nodeRequest('GET', path, headers);
      expect(response.status, response.text).toBe(200);
    }
  });

  it('get, list and the audit log never show an hmacKey', async () => {
    const op = server.operatorKeys.sandbox;
    const keys = `/v1/accounts/${merchantId}/keys`;
    for (const key of [...hmacKeys, edKey]) {
      const one = await api.get(`${keys}/${key.id}`, { key: op });
      expect(one.status).toBe(200);
      expect(one.body.hmacKey).toBeUndefined();
      expect(one.body.secret).toBeUndefined();
      expect(one.body.signing).toEqual({ scheme: key === hmacKeys[1] ? 'payload-signature' : 'http-message-signatures', algorithm: key === edKey ? 'ed25519' : 'hmac-sha256' });
      reads.push(one);
    }
    const list = await api.get(`${keys}?includeDeleted=true`, { key: op });
    expect(list.body.data).toHaveLength(6);
    for (const view of list.body.data) expect(Object.keys(view)).not.toContain('hmacKey');
    reads.push(list);
    const audit = await api.get(`/v1/accounts/${merchantId}/audit-events`, { key: op });
    expect(audit.status).toBe(200);
    expect(audit.body.data.filter((e: { action: string }) => e.action === 'key.created')).toHaveLength(6);
    reads.push(audit);
    // A PATCH answers the key view too.
    const patched = await api.patch(`${keys}/${hmacKeys[0]!.id}`, { name: 'renamed' }, { key: op });
    expect(patched.status).toBe(200);
    reads.push(patched);
    for (const response of reads) {
      const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
      expect(findSecrets(`${response.text}\n${headers}`, hmacSecrets())).toEqual([]);
    }
  });

  it('no log line holds a signing secret', () => {
    expect(server.logs.join('\n')).toContain(hmacKeys[0]!.id);
    expect(findSecrets(server.logs.join('\n'), hmacSecrets())).toEqual([]);
  });

  it('no file in the data folder holds a signing secret while the server runs (SQLite file and WAL)', () => {
    const files = rawFiles(server.env.TESSERA_DATA_DIR!);
    if (testDatabaseKind() === 'sqlite') {
      const names = [...files.keys()].map((f) => f.slice(server.env.TESSERA_DATA_DIR!.length + 1));
      expect(names).toContain('tessera.sqlite');
      expect(names).toContain('tessera.sqlite-wal');
      // The scan can find what is there: the key ids, in the main file or the WAL.
      const all = [...files.values()].join('\n');
      for (const key of hmacKeys) expect(all).toContain(key.id);
    }
    for (const [file, text] of files) expect(findSecrets(text, hmacSecrets()), file).toEqual([]);
  });

  it('every row of every table: no signing secret in clear; sealed values under the current master key; none for Ed25519', async () => {
    if (testDatabaseKind() === 'sqlite') {
      await server.close();
      closed = true;
      // A clean close folds the WAL into the main file: scan the bytes again.
      for (const [file, text] of rawFiles(server.env.TESSERA_DATA_DIR!)) expect(findSecrets(text, hmacSecrets()), file).toEqual([]);
    }
    const { tables, rows } = await dumpRows(server.env);
    for (const table of ['credentials', 'credential_secrets', 'audit_events', 'idempotency_records']) expect(tables).toContain(table);
    for (const { table, text } of rows) expect(findSecrets(text, hmacSecrets()), `${table}: ${text.slice(0, 200)}`).toEqual([]);

    const masterKeys = readMasterKeyFile(join(server.env.TESSERA_DATA_DIR!, 'master.key'));
    expect(masterKeys).toHaveLength(1);
    const keyId = masterKeyIdOf(masterKeys[0]!);
    const credentials = new Map(rows.filter((r) => r.table === 'credentials').map((r) => [r.row.id as string, r.row]));
    for (const key of hmacKeys) {
      const row = credentials.get(key.id)!;
      expect(row.signing_algorithm).toBe('hmac-sha256');
      const sealed = row.signing_secret_sealed as string;
      expect(sealed).toMatch(new RegExp(`^mk1\\.${keyId.replace(/-/g, '\\-')}\\.[A-Za-z0-9_-]{40,}$`));
      // It is the signing secret itself, sealed with AES-256-GCM and bound to its key's id.
      expect(openSealed(sealed, masterKeys[0]!, `signing:${key.id}`).toString('utf8')).toBe(key.hmacKey);
      expect(() => openSealed(sealed, masterKeys[0]!, `signing:${edKey.id}`)).toThrow();
    }
    // Each secret sealed with its own nonce: no two sealed values alike.
    expect(new Set(hmacKeys.map((k) => credentials.get(k.id)!.signing_secret_sealed)).size).toBe(hmacKeys.length);
    const ed = credentials.get(edKey.id)!;
    expect(ed).toMatchObject({ signing_algorithm: 'ed25519', signing_scheme: 'http-message-signatures', signing_secret_sealed: null, signing_public_key: edPublicRaw });
    expect(credentials.get(plain.id)).toMatchObject({ signing_algorithm: null, signing_scheme: null, signing_secret_sealed: null, signing_public_key: null });

    // The stored idempotent answer (which carried an hmacKey) is sealed too.
    const stored = rows.filter((r) => r.table === 'idempotency_records');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.row.response_sealed).toMatch(new RegExp(`^mk1\\.${keyId.replace(/-/g, '\\-')}\\.`));
    // Every sealed value anywhere names the one master key.
    const sealed = sealedValues(rows);
    expect(sealed.length).toBeGreaterThanOrEqual(hmacKeys.length + 1);
    for (const value of sealed) expect(value.keyId, value.table).toBe(keyId);
  });
});
