import { execFile } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey, type IssuedKey } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

/** Requests over one keep-alive connection, checking that it really is the same one each time. */
class OneConnection {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private localPort: number | null = null;

  constructor(private readonly baseUrl: string) {}

  get(path: string, headers: Record<string, string>): Promise<ApiResponse> {
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { agent: this.agent, headers }, (res) => {
        const port = res.socket.localPort ?? null;
        if (this.localPort !== null && port !== this.localPort) reject(new Error(`a new connection (local port ${port}, was ${this.localPort})`));
        this.localPort = port;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
          resolve({ status: res.statusCode!, headers: responseHeaders, body: JSON.parse(text), text });
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

// A connection remembers the key it authenticated with last (src/services/recent-credential.ts), so
// that a keep-alive client repeating its key skips the digest. Everything else must still hold on
// that connection, request by request: another key is another credential, and a change to the key
// takes effect on the very next request.
describe('keys on a keep-alive connection', () => {
  let server: TestServer;
  let api: Api;
  let merchantId: string;
  let otherMerchantId: string;
  let key: IssuedKey;
  let connection: OneConnection;
  const op = () => server.operatorKeys.sandbox;
  const account = (id: string) => `/v1/accounts/${id}`;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    merchantId = await createAccount(api, op(), { type: 'merchant', name: 'Shop' });
    otherMerchantId = await createAccount(api, op(), { type: 'merchant', name: 'Other shop' });
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    key = await createKey(api, op(), merchantId, { kind: 'secret' });
    connection = new OneConnection(server.url);
    expect((await connection.get(account(merchantId), { authorization: `Bearer ${key.secret}` })).status).toBe(200);
  });
  afterEach(() => connection.close());

  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

  it('a different secret of the same length is not the remembered key', async () => {
    // The same length, one character different: refused, whether by its checksum or as unknown.
    const i = key.secret.length - 7;
    const other = key.secret.slice(0, i) + (key.secret[i] === 'a' ? 'b' : 'a') + key.secret.slice(i + 1);
    const refused = await connection.get(account(merchantId), bearer(other));
    expect(refused.status).toBe(401);
    expect(['invalid_checksum', 'unknown_credential']).toContain(refused.body.error.code);
    expect((await connection.get(account(merchantId), bearer(key.secret))).status).toBe(200);
  });

  it("another account's key on the same connection acts as that account", async () => {
    const other = await createKey(api, op(), otherMerchantId, { kind: 'secret' });
    expect((await connection.get(account(otherMerchantId), bearer(other.secret))).status).toBe(200);
    // The other key can't see the first merchant, and the first key can't see the other one.
    expect((await connection.get(account(merchantId), bearer(other.secret))).status).toBe(404);
    expect((await connection.get(account(otherMerchantId), bearer(key.secret))).status).toBe(404);
    expect((await connection.get(account(merchantId), bearer(key.secret))).status).toBe(200);
  });

  it('disabling the key refuses the next request on the connection; enabling it lets it back', async () => {
    expect((await api.patch(`${account(merchantId)}/keys/${key.id}`, { enabled: false }, { key: op() })).status).toBe(200);
    expectError(await connection.get(account(merchantId), bearer(key.secret)), 401, 'credential_disabled');
    expect((await api.patch(`${account(merchantId)}/keys/${key.id}`, { enabled: true }, { key: op() })).status).toBe(200);
    expect((await connection.get(account(merchantId), bearer(key.secret))).status).toBe(200);
  });

  it('a key disabled by another process (the CLI) is refused on the next request of the connection', async () => {
    await promisify(execFile)(process.execPath, [BIN, 'keys', 'disable', '--account', merchantId, key.id, '--json'], { env: { ...process.env, ...server.env }, timeout: 30_000 });
    expectError(await connection.get(account(merchantId), bearer(key.secret)), 401, 'credential_disabled');
  });

  it('a roll with no grace and a delete end the secret on the connection at once', async () => {
    const rolled = await api.post(`${account(merchantId)}/keys/${key.id}/roll`, { gracePeriodSeconds: 0 }, { key: op() });
    expect(rolled.status, rolled.text).toBe(200);
    expectError(await connection.get(account(merchantId), bearer(key.secret)), 401, 'credential_rolled');
    const secret = rolled.body.secret as string;
    expect((await connection.get(account(merchantId), bearer(secret))).status).toBe(200);
    expect((await api.delete(`${account(merchantId)}/keys/${key.id}`, { key: op() })).status).toBe(200);
    expectError(await connection.get(account(merchantId), bearer(secret)), 401, 'credential_deleted');
  });

  it('the per-request checks still run: key id of Basic, browser origin, environment', async () => {
    const basic = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${key.secret}`).toString('base64')}` });
    expect((await connection.get(account(merchantId), basic(key.id))).status).toBe(200);
    expectError(await connection.get(account(merchantId), basic('key_not_this_one')), 401, 'key_id_mismatch');
    expectError(await connection.get(account(merchantId), { ...bearer(key.secret), origin: 'https://shop.example' }), 403, 'secret_key_in_browser');
    expectError(await connection.get(`/live${account(merchantId)}`, bearer(key.secret)), 403, 'environment_mismatch');
    expect((await connection.get(account(merchantId), bearer(key.secret))).status).toBe(200);
  });
});
