import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { generateSecret } from '../../src/domain/key-format.js';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey, openLive } from '../helpers/fixtures.js';
import { expectError } from '../helpers/management.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { hmacKeyOf, librarySign } from '../helpers/signing.js';

/** A client elsewhere on the network, as a trusted proxy on 127.0.0.1 reports it. */
const REMOTE = '198.51.100.7';
const viaProxy = (proto: 'http' | 'https' | null): Record<string, string> => ({ 'x-forwarded-for': REMOTE, ...(proto !== null && { 'x-forwarded-proto': proto }) });

interface Setup {
  server: TestServer;
  api: Api;
  merchantId: string;
  live: { id: string; secret: string };
  sandbox: { id: string; secret: string };
}

/** A server, and a merchant with a live and a sandbox secret key (created over loopback, which is allowed). */
async function setUp(env: Record<string, string>): Promise<Setup> {
  const server = await startTestServer({ env });
  const api = new Api(server.url);
  const merchantId = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'HTTPS only' });
  await openLive(api, server.operatorKeys.live, merchantId);
  const live = await createKey(api, server.operatorKeys.live, merchantId, { kind: 'secret' });
  const sandbox = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'secret' });
  return { server, api, merchantId, live, sandbox };
}

function expectHttpsRequired(response: ApiResponse, environment: string, secret: string): void {
  expectError(response, 403, 'https_required');
  expect(response.body.error.type).toBe('permission_error');
  expect(response.body.error.message).toContain(`The ${environment} environment only accepts HTTPS`);
  expect(response.body.error.message).toMatch(/Call the https:\/\/ URL/);
  expect(response.text).not.toContain(secret);
  expect(response.text).not.toContain(secret.slice(-20));
}

// OneKey: "All API requests must be made over HTTPS. Calls made over plain
// HTTP will fail." A remote client is simulated through a trusted proxy on
// 127.0.0.1 (X-Forwarded-For / X-Forwarded-Proto); real TLS at the end.
describe('HTTPS only', () => {
  describe('default (live requires HTTPS), behind a trusted proxy', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setUp({ TESSERA_TRUSTED_PROXIES: '127.0.0.1' });
    });
    afterAll(() => s.server.close());
    const read = (secret: string, headers: Record<string, string>) => s.api.get(`/v1/accounts/${s.merchantId}`, { key: secret, headers });

    it('refuses a live key over plain HTTP from a remote client, telling it to use HTTPS', async () => {
      expectHttpsRequired(await read(s.live.secret, viaProxy('http')), 'live', s.live.secret);
      // No X-Forwarded-Proto: the proxy's own connection was plain HTTP.
      expectHttpsRequired(await read(s.live.secret, viaProxy(null)), 'live', s.live.secret);
      // Through the /live prefix too, and for every way of presenting the key.
      expectHttpsRequired(await s.api.get(`/live/v1/accounts/${s.merchantId}`, { key: s.live.secret, headers: viaProxy('http') }), 'live', s.live.secret);
      expectHttpsRequired(await s.api.get(`/v1/accounts/${s.merchantId}`, { headers: { ...viaProxy('http'), 'x-api-key': s.live.secret } }), 'live', s.live.secret);
      const basic = `Basic ${Buffer.from(`${s.live.id}:${s.live.secret}`).toString('base64')}`;
      expectHttpsRequired(await s.api.get(`/v1/accounts/${s.merchantId}`, { headers: { ...viaProxy('http'), authorization: basic } }), 'live', s.live.secret);
    });

    it('accepts the live key when the trusted proxy says the client used HTTPS', async () => {
      const response = await read(s.live.secret, viaProxy('https'));
      expect(response.status, response.text).toBe(200);
      expect(response.body.id).toBe(s.merchantId);
    });

    it('does not refuse sandbox over plain HTTP by default', async () => {
      expect((await read(s.sandbox.secret, viaProxy('http'))).status).toBe(200);
      expect((await s.api.get(`/sandbox/v1/accounts/${s.merchantId}`, { key: s.sandbox.secret, headers: viaProxy('http') })).status).toBe(200);
    });

    it('allows a client on this machine talking to the server directly', async () => {
      // A direct loopback connection never crossed a network, so nothing could
      // have been read off the wire; refusing it would break `npm start` on a
      // laptop and every local integration test. The exemption needs both the
      // socket and the client IP (after trusted proxies) to be loopback: a
      // proxy on this machine forwarding a remote client is refused above.
      const response = await read(s.live.secret, {});
      expect(response.status, response.text).toBe(200);
      // X-Forwarded-Proto alone does not make it remote.
      expect((await read(s.live.secret, { 'x-forwarded-proto': 'http' })).status).toBe(200);
    });

    it('a signed request through the proxy verifies against the URL the client used (X-Forwarded-Proto and -Host)', async () => {
      const signer = await createKey(s.api, s.server.operatorKeys.live, s.merchantId, { kind: 'restricted', permissions: ['accounts.read'], generateHMAC: true });
      const path = `/v1/accounts/${s.merchantId}`;
      const publicUrl = `https://api.example.com${path}`;
      const forwarded = { ...viaProxy('https'), 'x-forwarded-host': 'api.example.com' };
      const sign = (nonce: string) => librarySign({ method: 'GET', url: publicUrl, headers: { authorization: `Bearer ${signer.secret}` }, key: hmacKeyOf(signer), nonce });
      const ok = await s.api.nodeRequest('GET', path, { ...(await sign('public')), ...forwarded });
      expect(ok.status, ok.text).toBe(200);
      // Without the forwarded host, the server sees another URL than the one signed.
      const { 'x-forwarded-host': _host, ...withoutHost } = forwarded;
      expectError(await s.api.nodeRequest('GET', path, { ...(await sign('no-host')), ...withoutHost }), 401, 'signature_invalid');
    });

    it('without TESSERA_DISABLE_KEYS_SENT_OVER_HTTP, a refused key stays enabled', async () => {
      const key = await createKey(s.api, s.server.operatorKeys.live, s.merchantId, { kind: 'secret' });
      expectHttpsRequired(await read(key.secret, viaProxy('http')), 'live', key.secret);
      expect((await read(key.secret, viaProxy('https'))).status).toBe(200);
      const view = await s.api.get(`/v1/accounts/${s.merchantId}/keys/${key.id}`, { key: s.server.operatorKeys.live });
      expect(view.body.enabled).toBe(true);
      const audit = await s.api.get(`/v1/accounts/${s.merchantId}/audit-events`, { key: s.server.operatorKeys.live });
      expect(audit.body.data.filter((e: { action: string }) => e.action === 'key.exposed')).toEqual([]);
    });
  });

  describe('TESSERA_HTTPS_REQUIRED=sandbox,live', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setUp({ TESSERA_TRUSTED_PROXIES: '127.0.0.1', TESSERA_HTTPS_REQUIRED: 'sandbox,live' });
    });
    afterAll(() => s.server.close());

    it('refuses sandbox over plain HTTP too', async () => {
      expectHttpsRequired(await s.api.get(`/v1/accounts/${s.merchantId}`, { key: s.sandbox.secret, headers: viaProxy('http') }), 'sandbox', s.sandbox.secret);
      expectHttpsRequired(await s.api.get(`/v1/accounts/${s.merchantId}`, { key: s.live.secret, headers: viaProxy('http') }), 'live', s.live.secret);
      expect((await s.api.get(`/v1/accounts/${s.merchantId}`, { key: s.sandbox.secret, headers: viaProxy('https') })).status).toBe(200);
      expect((await s.api.get(`/v1/accounts/${s.merchantId}`, { key: s.sandbox.secret })).status).toBe(200);
    });
  });

  it('TESSERA_HTTPS_REQUIRED takes environments or none', () => {
    expect(loadConfig({}).httpsRequired).toEqual(['live']);
    expect(loadConfig({ TESSERA_HTTPS_REQUIRED: 'none' }).httpsRequired).toEqual([]);
    expect(loadConfig({ TESSERA_HTTPS_REQUIRED: 'sandbox, live' }).httpsRequired).toEqual(['sandbox', 'live']);
    expect(() => loadConfig({ TESSERA_HTTPS_REQUIRED: 'production' })).toThrow(/TESSERA_HTTPS_REQUIRED/);
  });

  describe('TESSERA_DISABLE_KEYS_SENT_OVER_HTTP=true', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setUp({ TESSERA_TRUSTED_PROXIES: '127.0.0.1', TESSERA_DISABLE_KEYS_SENT_OVER_HTTP: 'true' });
    });
    afterAll(() => s.server.close());
    const read = (secret: string, headers: Record<string, string>) => s.api.get(`/v1/accounts/${s.merchantId}`, { key: secret, headers });

    it('disables a key sent over plain HTTP and audits it as exposed', async () => {
      expect((await read(s.live.secret, viaProxy('https'))).status).toBe(200);
      expectHttpsRequired(await read(s.live.secret, viaProxy('http')), 'live', s.live.secret);
      // The very next request, properly over HTTPS, finds the key disabled.
      const after = await read(s.live.secret, viaProxy('https'));
      expectError(after, 401, 'credential_disabled');
      const op = s.server.operatorKeys.live;
      const view = await s.api.get(`/v1/accounts/${s.merchantId}/keys/${s.live.id}`, { key: op });
      expect(view.body.enabled).toBe(false);
      expect(view.body.status).toBe('disabled');
      const audit = await s.api.get(`/v1/accounts/${s.merchantId}/audit-events`, { key: op });
      const exposed = audit.body.data.filter((e: { action: string; target: { id: string } }) => e.action === 'key.exposed' && e.target.id === s.live.id);
      expect(exposed).toHaveLength(1);
      expect(exposed[0]).toMatchObject({ environment: 'live', actor: { type: 'system' }, ip: REMOTE, details: { disabled: true } });
      expect(exposed[0].details.reason).toContain(REMOTE);
      expect(JSON.stringify(audit.body)).not.toContain(s.live.secret);
      // Sent again: still refused, audited once.
      expectHttpsRequired(await read(s.live.secret, viaProxy('http')), 'live', s.live.secret);
      const again = await s.api.get(`/v1/accounts/${s.merchantId}/audit-events`, { key: op });
      expect(again.body.data.filter((e: { action: string }) => e.action === 'key.exposed')).toHaveLength(1);
    });

    it('leaves alone keys that did not cross a network in clear', async () => {
      const op = s.server.operatorKeys.live;
      const key = await createKey(s.api, op, s.merchantId, { kind: 'secret' });
      expect((await read(key.secret, {})).status).toBe(200); // direct loopback
      expect((await read(key.secret, viaProxy('https'))).status).toBe(200);
      expect((await read(s.sandbox.secret, viaProxy('http'))).status).toBe(200); // sandbox: HTTP allowed
      expect((await read(s.sandbox.secret, viaProxy('https'))).status).toBe(200);
      // A well-formed live key that does not exist: refused, nothing to disable, no error.
      const unknown = generateSecret('tsr', 'secret', 'live');
      expectHttpsRequired(await read(unknown, viaProxy('http')), 'live', unknown);
      expect((await read(key.secret, viaProxy('https'))).status).toBe(200);
    });
  });

  describe('real TLS (TESSERA_TLS_CERT_FILE / TESSERA_TLS_KEY_FILE)', () => {
    let dir: string;
    let cert: Buffer;
    let server: TestServer;
    let merchantId: string;
    let live: { id: string; secret: string };

    beforeAll(async () => {
      // A throwaway self-signed certificate, made now and deleted after: no key file in the repository.
      dir = mkdtempSync(join(tmpdir(), 'tessera-tls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1'], { stdio: 'pipe' });
      cert = readFileSync(join(dir, 'cert.pem'));
      server = await startTestServer({ env: { TESSERA_TLS_CERT_FILE: join(dir, 'cert.pem'), TESSERA_TLS_KEY_FILE: join(dir, 'key.pem'), TESSERA_TRUSTED_PROXIES: '127.0.0.1' } });
      const created = await tls('POST', '/v1/accounts', { authorization: `Bearer ${server.operatorKeys.sandbox}`, 'content-type': 'application/json' }, JSON.stringify({ type: 'merchant', name: 'TLS' }));
      expect(created.status, created.text).toBe(201);
      merchantId = created.body.id;
      expect((await tls('POST', `/v1/accounts/${merchantId}/open-live`, { authorization: `Bearer ${server.operatorKeys.live}` })).status).toBe(200);
      live = await createLiveKey({ kind: 'secret' });
    });
    afterAll(async () => {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function createLiveKey(body: Record<string, unknown>): Promise<{ id: string; secret: string; hmacKey?: string }> {
      const response = await tls('POST', `/v1/accounts/${merchantId}/keys`, { authorization: `Bearer ${server.operatorKeys.live}`, 'content-type': 'application/json' }, JSON.stringify(body));
      expect(response.status, response.text).toBe(201);
      return response.body;
    }

    /** Over TLS, the certificate checked against itself as the only CA. */
    function tls(method: string, path: string, headers: Record<string, string>, body?: string): Promise<ApiResponse> {
      const url = new URL(server.url);
      return new Promise((resolve, reject) => {
        const req = httpsRequest({ host: url.hostname, port: url.port, method, path, headers, ca: cert }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const responseHeaders = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) responseHeaders.set(k, Array.isArray(v) ? v.join(', ') : v);
            resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: text === '' ? undefined : JSON.parse(text), text });
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    }

    it('serves HTTPS: a live key from a remote client over TLS is accepted', async () => {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const direct = await tls('GET', `/v1/accounts/${merchantId}`, { authorization: `Bearer ${live.secret}` });
      expect(direct.status, direct.text).toBe(200);
      // The same remote client that plain HTTP refuses above: over TLS it is fine.
      const remote = await tls('GET', `/v1/accounts/${merchantId}`, { authorization: `Bearer ${live.secret}`, 'x-forwarded-for': REMOTE });
      expect(remote.status, remote.text).toBe(200);
      expect(remote.headers.get('request-id')).toMatch(/^req_/);
    });

    it('a signed RFC 9421 request over TLS verifies against its https:// @target-uri', async () => {
      const signer = (await createLiveKey({ kind: 'restricted', permissions: ['accounts.read', 'accounts.update'], generateHMAC: true })) as { id: string; secret: string; hmacKey: string };
      expect(signer.hmacKey).toMatch(/^tsr_hk_live_/);
      const path = `/v1/accounts/${merchantId}`;
      const url = `https://127.0.0.1:${new URL(server.url).port}${path}`;
      const get = await librarySign({ method: 'GET', url, headers: { authorization: `Bearer ${signer.secret}` }, key: hmacKeyOf(signer), nonce: 'tls-get' });
      expect(Object.entries(get).find(([name]) => name.toLowerCase() === 'signature-input')?.[1]).toContain('"@target-uri"');
      const ok = await tls('GET', path, get);
      expect(ok.status, ok.text).toBe(200);
      const body = JSON.stringify({ name: 'Over TLS' });
      const patch = await librarySign({ method: 'PATCH', url, headers: { authorization: `Bearer ${signer.secret}`, 'content-type': 'application/json' }, body, key: hmacKeyOf(signer), nonce: 'tls-patch' });
      const patched = await tls('PATCH', path, patch, body);
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body.name).toBe('Over TLS');
      // Signed for http:// but sent over https://: the scheme is part of what is signed.
      const wrongScheme = await librarySign({ method: 'GET', url: url.replace('https:', 'http:'), headers: { authorization: `Bearer ${signer.secret}` }, key: hmacKeyOf(signer), nonce: 'tls-http' });
      expectError(await tls('GET', path, wrongScheme), 401, 'signature_invalid');
    });

    it('TLS files go together', () => {
      expect(() => loadConfig({ TESSERA_TLS_CERT_FILE: join(dir, 'cert.pem') })).toThrow(/TESSERA_TLS_CERT_FILE and TESSERA_TLS_KEY_FILE/);
    });
  });
});
