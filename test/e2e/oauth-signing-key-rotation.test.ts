import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTessera } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { signingKeyAad } from '../../src/services/oauth/token-signing-keys.js';
import { Api } from '../helpers/api.js';
import { dumpRows, masterKeyIdOf, openSealed, rawFiles, readMasterKeyFile } from '../helpers/database-dump.js';
import { testDatabaseKind } from '../helpers/database.js';
import { createAccount } from '../helpers/fixtures.js';
import { expectError, openDirectDatabase } from '../helpers/management.js';
import { createClient, decodeToken, issueToken, signToken, verifiesWithJwks, type ClientCredential } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));
const MAX_LIFETIME = 1200;

/** The CLI as a real process on the server's storage (it runs from dist/: `npm run build` first). */
function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; json: any; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args, '--json'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
      } catch {
        json = undefined;
      }
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, json, output: stdout + stderr });
    });
  });
}

// SPEC: "Access tokens are JWTs (RFC 9068), signed by a rotating asymmetric key published as JWKS";
// "Secrets the server must reuse ... are stored encrypted (AES-256-GCM) under a master key".
describe('token signing keys: rotation by the CLI while the server runs, and at rest', () => {
  let server: TestServer;
  let api: Api;
  let merchantId: string;
  let client: ClientCredential;
  /** The server's clock runs `offset` ms ahead of the real one. */
  let offset = 0;
  const kids = async (): Promise<string[]> => (await api.get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
  const use = (token: string) => api.get(`/v1/accounts/${merchantId}`, { key: token });

  beforeAll(async () => {
    server = await startTestServer({ env: { TESSERA_OAUTH_MAX_TOKEN_LIFETIME_SECONDS: String(MAX_LIFETIME) }, now: () => Date.now() + offset });
    api = new Api(server.url);
    merchantId = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'Shop' });
    client = await createClient(api, server.operatorKeys.sandbox, merchantId, { permissions: ['accounts.read'] });
  });
  afterAll(() => server.close());

  it('the private signing key is sealed under the master key, never in clear', async () => {
    const { kid } = server.tessera.signingKeys.signer();
    const { rows } = await dumpRows(server.env);
    const keyRows = rows.filter((r) => r.table === 'oauth_signing_keys');
    expect(keyRows).toHaveLength(1);
    const sealed = keyRows[0]!.row.private_key_sealed as string;
    const masterKey = readMasterKeyFile(join(server.env.TESSERA_DATA_DIR!, 'master.key'))[0]!;
    expect(sealed.startsWith(`mk1.${masterKeyIdOf(masterKey)}.`)).toBe(true);
    // It opens, independently of Tessera's code and bound to its kid, to the key that signs the tokens.
    const der = openSealed(sealed, masterKey, signingKeyAad(kid));
    expect(() => openSealed(sealed, masterKey, signingKeyAad('another-kid'))).toThrow();
    const token = decodeToken(await issueToken(api, client));
    expect(token.header.kid).toBe(kid);
    expect(verify(null, Buffer.from(token.signingInput), createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })), token.signature)).toBe(true);
    const raw = der.subarray(-32);
    // No form of the private key anywhere in the database (and, for SQLite, in its files).
    const needles = [raw.toString('hex'), raw.toString('base64'), raw.toString('base64url'), der.toString('base64'), der.toString('hex'), raw.toString('latin1')];
    for (const { table, text } of rows) for (const needle of needles) expect(text.includes(needle), `private key found in ${table}`).toBe(false);
    if (testDatabaseKind() === 'sqlite') {
      for (const [file, text] of rawFiles(server.env.TESSERA_DATA_DIR!)) {
        if (file.endsWith('master.key')) continue;
        for (const needle of needles) expect(text.includes(needle), `private key found in ${file}`).toBe(false);
      }
    }
  });

  it('`signing-keys rotate` while the server runs: old and new tokens both accepted; the old key retires after the longest token lifetime + 60 s', async () => {
    const before = await issueToken(api, client);
    const oldKid = decodeToken(before).header.kid as string;
    // The old private key, to sign tokens with it once it has retired.
    const oldKey = server.tessera.signingKeys.signer().privateKey;
    expect(await kids()).toEqual([oldKid]);
    expect((await use(before)).status).toBe(200);

    const startedAt = Date.now();
    const rotation = await cli(server.env, 'signing-keys', 'rotate');
    const endedAt = Date.now();
    expect(rotation.code, rotation.output).toBe(0);
    const newKid = rotation.json.currentKeyId as string;
    expect(newKid).not.toBe(oldKid);
    expect([...rotation.json.published].sort()).toEqual([oldKid, newKid].sort());

    // On the server's very next requests: the new key signs, both are published and accepted.
    const after = await issueToken(api, client);
    expect(decodeToken(after).header.kid).toBe(newKid);
    const jwks = (await api.get('/.well-known/jwks.json')).body;
    expect(jwks.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    expect(verifiesWithJwks(before, jwks)).toBe(true);
    expect(verifiesWithJwks(after, jwks)).toBe(true);
    expect((await use(before)).status).toBe(200);
    expect((await use(after)).status).toBe(200);
    const listed = await cli(server.env, 'signing-keys', 'list');
    expect(listed.json).toMatchObject({ currentKeyId: newKid });

    // The old key retires at (max token lifetime + 60 s) after the rotation.
    const db = await openDirectDatabase(server, { readonly: true });
    let retireAt: number;
    try {
      const rows = await db.query<{ kid: string; retire_at: number | string | null }>('SELECT kid, retire_at FROM oauth_signing_keys');
      expect(rows.find((r) => r.kid === newKid)!.retire_at).toBeNull();
      retireAt = Number(rows.find((r) => r.kid === oldKid)!.retire_at);
    } finally {
      await db.close();
    }
    expect(retireAt).toBeGreaterThanOrEqual(startedAt + (MAX_LIFETIME + 60) * 1000);
    expect(retireAt).toBeLessThanOrEqual(endedAt + (MAX_LIFETIME + 60) * 1000);

    // A token signed by the old key, with claims valid at any moment (its own iat and exp).
    const { header, claims } = decodeToken(before);
    const oldKeyToken = () => {
      const iat = Math.floor((Date.now() + offset) / 1000);
      return signToken(header, { ...claims, jti: `oldkey${iat}`.padEnd(22, 'x'), iat, exp: iat + 300 }, oldKey);
    };
    const newKeyToken = () => {
      const iat = Math.floor((Date.now() + offset) / 1000);
      return signToken({ ...header, kid: newKid }, { ...claims, jti: `newkey${iat}`.padEnd(22, 'x'), iat, exp: iat + 300 }, server.tessera.signingKeys.signer().privateKey);
    };
    // Moments before: still published and accepted.
    offset = retireAt - 5000 - Date.now();
    expect((await kids()).sort()).toEqual([oldKid, newKid].sort());
    expect((await use(oldKeyToken())).status).toBe(200);
    // Past it: gone from the JWKS, and its tokens are refused.
    offset = retireAt + 1000 - Date.now();
    expect(await kids()).toEqual([newKid]);
    expectError(await use(oldKeyToken()), 401, 'token_invalid');
    expectError(await use(before), 401, 'token_invalid');
    expect((await use(newKeyToken())).status).toBe(200);
    expect((await use(await issueToken(api, client))).status).toBe(200);
    // A server started now on the same storage agrees.
    const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const node2 = await createTessera({ config: loadConfig({ ...server.env, PORT: '0', TESSERA_PUBLIC_URL: server.url }), logStream: silent, now: () => Date.now() + offset });
    try {
      expect(node2.signingKeys.jwks().keys.map((k) => k.kid)).toEqual([newKid]);
      expect(node2.signingKeys.signer().kid).toBe(newKid);
    } finally {
      await node2.close();
    }
  });

  it('`master-key rotate` re-encrypts the signing keys: tokens still verify, new ones issue, a cold server can sign', async () => {
    const file = join(server.env.TESSERA_DATA_DIR!, 'master.key');
    const oldMaster = readMasterKeyFile(file)[0]!;
    const before = await issueToken(api, client);
    expect((await use(before)).status).toBe(200);

    const rotation = await cli(server.env, 'master-key', 'rotate');
    expect(rotation.code, rotation.output).toBe(0);
    expect(rotation.json.reencrypted['oauth_signing_keys.private_key_sealed']).toBeGreaterThanOrEqual(1);
    const newMaster = readMasterKeyFile(file)[0]!;
    expect(masterKeyIdOf(newMaster)).not.toBe(masterKeyIdOf(oldMaster));
    const keyRows = (await dumpRows(server.env)).rows.filter((r) => r.table === 'oauth_signing_keys');
    expect(keyRows.length).toBeGreaterThanOrEqual(1);
    for (const { row } of keyRows) {
      const sealed = row.private_key_sealed as string;
      expect(sealed.startsWith(`mk1.${masterKeyIdOf(newMaster)}.`), sealed.slice(0, 20)).toBe(true);
      expect(openSealed(sealed, newMaster, signingKeyAad(row.kid as string)).length).toBeGreaterThan(32);
    }

    expect((await use(before)).status).toBe(200);
    const after = await issueToken(api, client);
    expect((await use(after)).status).toBe(200);
    // A server started cold has only the new master key: it unseals the signing key and signs with it.
    const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const node2 = await createTessera({ config: loadConfig({ ...server.env, PORT: '0', TESSERA_PUBLIC_URL: server.url }), logStream: silent, now: () => Date.now() + offset });
    try {
      const api2 = new Api(await node2.listen());
      const fromNode2 = await issueToken(api2, client);
      expect(decodeToken(fromNode2).header.kid).toBe(decodeToken(after).header.kid);
      expect((await use(fromNode2)).status).toBe(200);
      expect((await api2.get(`/v1/accounts/${merchantId}`, { key: before })).status).toBe(200);
    } finally {
      await node2.close();
    }
    // And a rotation of the signing key after it seals the new key under the new master key.
    const again = await cli(server.env, 'signing-keys', 'rotate');
    expect(again.code, again.output).toBe(0);
    const newest = (await dumpRows(server.env)).rows.find((r) => r.table === 'oauth_signing_keys' && r.row.kid === again.json.currentKeyId)!;
    expect((newest.row.private_key_sealed as string).startsWith(`mk1.${masterKeyIdOf(newMaster)}.`)).toBe(true);
    const signedByNewest = await issueToken(api, client);
    expect(decodeToken(signedByNewest).header.kid).toBe(again.json.currentKeyId);
    expect((await use(signedByNewest)).status).toBe(200);
  });
});
