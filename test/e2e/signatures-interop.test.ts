import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import { createSigner, httpbis } from 'http-message-signatures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Requests signed by a client library no one here wrote (http-message-signatures, RFC 9421).
describe('signed requests: interop with http-message-signatures', () => {
  let server: TestServer;
  let api: Api;
  let partnerId: string;

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    partnerId = await createAccount(api, server.operatorKeys.sandbox, { type: 'partner', name: 'Platform' });
  });
  afterAll(() => server.close());

  /** Signs with the library, computing Content-Digest ourselves (the library does not). */
  async function signedFetch(
    method: string,
    path: string,
    options: { key: { id: string; secret: string }; signer: ReturnType<typeof createSigner>; body?: unknown; tamper?: (r: { method: string; url: string; headers: Record<string, string>; body?: string }) => void },
  ): Promise<ApiResponse> {
    const url = server.url + path;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { authorization: `Bearer ${options.key.secret}` };
    const fields = ['@method', '@target-uri'];
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-digest'] = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
      fields.push('content-digest');
    }
    const signed = await httpbis.signMessage({ key: options.signer, fields, params: ['keyid', 'alg', 'created', 'expires'] }, { method, url, headers, ...(body !== undefined && { body }) });
    const request = { method, url, headers: signed.headers as Record<string, string>, ...(body !== undefined && { body }) };
    options.tamper?.(request);
    return api.request(request.method, request.url.slice(server.url.length), { headers: request.headers, ...(request.body !== undefined && { raw: request.body }) });
  }

  it('accepts hmac-sha256 signatures over method, target and Content-Digest; rejects tampering', async () => {
    const key = await createKey(api, server.operatorKeys.sandbox, partnerId, { kind: 'restricted', permissions: ['keys.create', 'keys.read'], generateHMAC: true });
    expect(key.hmacKey).toMatch(/^tsr_hk_sandbox_/);
    expect(key.signing).toEqual({ scheme: 'http-message-signatures', algorithm: 'hmac-sha256' });
    const signer = createSigner(Buffer.from(key.hmacKey as string, 'utf8'), 'hmac-sha256', key.id);
    const ok = await signedFetch('POST', `/v1/accounts/${partnerId}/keys`, { key, signer, body: { kind: 'publishable' } });
    expect(ok.status, ok.text).toBe(201);
    expect((await signedFetch('GET', `/v1/accounts/${partnerId}/keys`, { key, signer })).status).toBe(200);

    const tamperedBody = await signedFetch('POST', `/v1/accounts/${partnerId}/keys`, { key, signer, body: { kind: 'publishable' }, tamper: (r) => void (r.body = JSON.stringify({ kind: 'publishable', name: 'evil' })) });
    expect(tamperedBody.status).toBe(401);
    expect(tamperedBody.body.error.code).toBe('signature_content_digest_mismatch');
    const tamperedPath = await signedFetch('GET', `/v1/accounts/${partnerId}/keys`, { key, signer, tamper: (r) => void (r.url = `${server.url}/v1/accounts/${partnerId}/keys?includeDeleted=true`) });
    expect(tamperedPath.body.error.code).toBe('signature_invalid');
    const tamperedMethod = await signedFetch('GET', `/v1/accounts/${partnerId}/keys`, { key, signer, tamper: (r) => void (r.method = 'POST') });
    expect(tamperedMethod.status).toBe(401);
    expect(['signature_invalid', 'signature_missing_component']).toContain(tamperedMethod.body.error.code);

    const unsigned = await api.get(`/v1/accounts/${partnerId}/keys`, { key: key.secret });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.code).toBe('signature_missing');
  });

  it('accepts ed25519 signatures with only a registered public key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const key = await createKey(api, server.operatorKeys.sandbox, partnerId, {
      kind: 'restricted',
      permissions: ['keys.read'],
      signingPublicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    });
    expect(key.hmacKey).toBeUndefined();
    expect(key.signing).toEqual({ scheme: 'http-message-signatures', algorithm: 'ed25519' });
    const signer = createSigner(privateKey, 'ed25519', key.id);
    expect((await signedFetch('GET', `/v1/accounts/${partnerId}/keys`, { key, signer })).status).toBe(200);
    const other = createSigner(generateKeyPairSync('ed25519').privateKey, 'ed25519', key.id);
    const forged = await signedFetch('GET', `/v1/accounts/${partnerId}/keys`, { key, signer: other });
    expect(forged.body.error.code).toBe('signature_invalid');
  });

  it('accepts OneKey Payload-Signature: hex HMAC-SHA256 of the raw body', async () => {
    const key = await createKey(api, server.operatorKeys.sandbox, partnerId, { kind: 'restricted', permissions: ['keys.create'], generateHMAC: true, signatureScheme: 'payload-signature' });
    const body = JSON.stringify({ kind: 'publishable', name: 'café' });
    const signature = createHmac('sha256', key.hmacKey as string).update(body, 'utf8').digest('hex');
    const ok = await api.request('POST', `/v1/accounts/${partnerId}/keys`, { key: key.secret, raw: body, headers: { 'content-type': 'application/json', 'payload-signature': signature } });
    expect(ok.status, ok.text).toBe(201);
    const bad = await api.request('POST', `/v1/accounts/${partnerId}/keys`, { key: key.secret, raw: body.replace('café', 'cafe'), headers: { 'content-type': 'application/json', 'payload-signature': signature } });
    expect(bad.body.error.code).toBe('signature_invalid');
  });

  it('rejects a replayed signature', async () => {
    const key = await createKey(api, server.operatorKeys.sandbox, partnerId, { kind: 'restricted', permissions: ['keys.read'], generateHMAC: true });
    const signer = createSigner(Buffer.from(key.hmacKey as string), 'hmac-sha256', key.id);
    let captured: Record<string, string> = {};
    expect((await signedFetch('GET', `/v1/accounts/${partnerId}/keys`, { key, signer, tamper: (r) => void (captured = r.headers) })).status).toBe(200);
    const replay = await api.get(`/v1/accounts/${partnerId}/keys`, { headers: captured });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('signature_replayed');
  });
});
