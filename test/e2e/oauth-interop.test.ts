import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createAccount, createKey, type IssuedKey } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Tokens obtained and validated by OAuth libraries no one here wrote.
describe('OAuth 2.0 interop: oauth4webapi and openid-client', () => {
  let server: TestServer;
  let api: Api;
  let merchantId: string;
  let credential: IssuedKey;
  let as: oauth.AuthorizationServer;
  const insecure = { [oauth.allowInsecureRequests]: true };

  beforeAll(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    merchantId = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name: 'Shop' });
    credential = await createKey(api, server.operatorKeys.sandbox, merchantId, { kind: 'client', name: 'Backend', permissions: ['accounts.read', 'operations.list'] });
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  });
  afterAll(() => server.close());

  it('creates client credentials: a public client_id and a client_secret shown once', async () => {
    expect(credential.clientId).toBe(credential.id);
    expect(credential.clientSecret).toMatch(/^tsr_cc_sandbox_[0-9A-Za-z]{39}$/);
    const listed = await api.get(`/v1/accounts/${merchantId}/keys/${credential.id}`, { key: server.operatorKeys.sandbox });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.id).toBe(credential.id);
    expect(listed.text).not.toContain(credential.clientSecret as string);
  });

  it('oauth4webapi: client_secret_basic grant, token validated against our JWKS, then used on a protected route', async () => {
    const c: oauth.Client = { client_id: credential.id };
    const response = await oauth.clientCredentialsGrantRequest(as, c, oauth.ClientSecretBasic(credential.clientSecret as string), new URLSearchParams({ scope: 'accounts.read' }), insecure);
    const tokens = await oauth.processClientCredentialsResponse(as, c, response);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('accounts.read');
    expect(tokens.expires_in).toBe(900);

    const request = new Request(`${server.url}/v1/accounts/${merchantId}`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, `${server.url}/v1`, insecure);
    expect(claims).toMatchObject({ client_id: credential.id, sub: credential.id, scope: 'accounts.read', iss: server.url });

    expect((await api.get(`/v1/accounts/${merchantId}`, { key: tokens.access_token })).status).toBe(200);
    const outOfScope = await api.get('/v1/operations', { key: tokens.access_token });
    expect(outOfScope.status).toBe(200); // public operation
    const denied = await api.get(`/v1/accounts/${merchantId}/keys`, { key: tokens.access_token });
    expect(denied.status).toBe(403);
  });

  it('openid-client v6: client_secret_post grant (its default), token used on a protected route', async () => {
    const config = await client.discovery(new URL(server.url), credential.id, credential.clientSecret as string, undefined, { execute: [client.allowInsecureRequests], algorithm: 'oauth2' });
    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens.scope).toBe('accounts.read operations.list');
    expect((await api.get(`/v1/accounts/${merchantId}`, { key: tokens.access_token })).status).toBe(200);
  });

  it('oauth4webapi introspection and revocation helpers work against our endpoints', async () => {
    const c: oauth.Client = { client_id: credential.id };
    const auth = oauth.ClientSecretBasic(credential.clientSecret as string);
    const tokens = await oauth.processClientCredentialsResponse(as, c, await oauth.clientCredentialsGrantRequest(as, c, auth, new URLSearchParams(), insecure));
    const active = await oauth.processIntrospectionResponse(as, c, await oauth.introspectionRequest(as, c, auth, tokens.access_token, insecure));
    expect(active).toMatchObject({ active: true, client_id: credential.id });
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, c, auth, tokens.access_token, insecure));
    const inactive = await oauth.processIntrospectionResponse(as, c, await oauth.introspectionRequest(as, c, auth, tokens.access_token, insecure));
    expect(inactive).toEqual({ active: false });
    const refused = await api.get(`/v1/accounts/${merchantId}`, { key: tokens.access_token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('token_revoked');
  });
});
