import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTessera, type Tessera } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { Api, type ApiResponse } from '../helpers/api.js';
import { createAccount, openLive } from '../helpers/fixtures.js';
import { createOperatorKey, expectError, openDirectDatabase } from '../helpers/management.js';
import { createClient, decodeToken, expectNoStore, expectOAuthError, issueToken, oauthPost, signToken, type ClientCredential } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// SPEC: "introspection (RFC 7662), revocation (RFC 7009)"; docs/oauth.md: tokens of the caller's
// own account and environment (any account for the operator) answer their claims, anything else
// {"active": false}; a token is revoked only by the client it was issued to, and stays refused on
// every node until it would have expired.
describe('POST /oauth/introspect (RFC 7662) and POST /oauth/revoke (RFC 7009)', () => {
  let server: TestServer;
  let api: Api;
  let merchantId: string;
  let otherMerchantId: string;
  /** The merchant's client, and a second client of the same merchant. */
  let client: ClientCredential;
  let sibling: ClientCredential;
  /** A client of another merchant. */
  let stranger: ClientCredential;
  let operatorClient: ClientCredential;
  let operatorLiveClient: ClientCredential;
  /** The server's clock, frozen; tests move it forward only. */
  let clock = Date.now();
  const nodes: Tessera[] = [];

  const introspect = (caller: ClientCredential, token: string) => oauthPost(api, '/oauth/introspect', { token }, { basic: caller });
  const revoke = (caller: ClientCredential, token: string, through = api) => oauthPost(through, '/oauth/revoke', { token }, { basic: caller });
  const use = (token: string, through = api) => through.get(`/v1/accounts/${merchantId}`, { key: token });
  const expectInactive = (response: ApiResponse) => {
    expect(response.status, response.text).toBe(200);
    // Nothing else: RFC 7662 §2.2 lets an inactive answer say nothing, and for other tenants it must not.
    expect(response.body).toEqual({ active: false });
    expectNoStore(response);
  };
  const expectRevokeAnswer = (response: ApiResponse) => {
    expect(response.status, response.text).toBe(200);
    expect(response.text).toBe('');
    expectNoStore(response);
  };

  /** Another server on the same data folder or database, on the same clock, behind the same public URL (the token issuer). */
  async function startNode(): Promise<{ tessera: Tessera; api: Api }> {
    const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const tessera = await createTessera({ config: loadConfig({ ...server.env, PORT: '0', TESSERA_PUBLIC_URL: server.url }), logStream: silent, now: () => clock });
    nodes.push(tessera);
    return { tessera, api: new Api(await tessera.listen()) };
  }

  beforeAll(async () => {
    server = await startTestServer({ now: () => clock });
    api = new Api(server.url);
    const op = server.operatorKeys.sandbox;
    merchantId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
    otherMerchantId = await createAccount(api, op, { type: 'merchant', name: 'Other shop' });
    client = await createClient(api, op, merchantId, { permissions: ['accounts.read', 'keys.read'] });
    sibling = await createClient(api, op, merchantId, { permissions: ['accounts.read'] });
    stranger = await createClient(api, op, otherMerchantId, { permissions: ['accounts.read'] });
    // The operator's secret keys can't mint keys for the operator account: the CLI's way.
    for (const environment of ['sandbox', 'live'] as const) {
      const issued = await createOperatorKey(server, { kind: 'client', environment, permissions: ['accounts.read'] });
      const credential = { id: issued.id, clientId: issued.id, clientSecret: issued.secret };
      if (environment === 'sandbox') operatorClient = credential;
      else operatorLiveClient = credential;
    }
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    await server.close();
  });

  describe('introspection', () => {
    it("an active token of the caller's own account: active, with its claims", async () => {
      const token = await issueToken(api, client, { scope: 'accounts.read' });
      const { claims } = decodeToken(token);
      for (const caller of [client, sibling]) {
        const response = await introspect(caller, token);
        expect(response.status, response.text).toBe(200);
        expectNoStore(response);
        expect(response.body).toEqual({
          active: true,
          token_type: 'Bearer',
          client_id: client.id,
          sub: client.id,
          scope: 'accounts.read',
          exp: claims.exp,
          iat: claims.iat,
          aud: `${server.url}/v1`,
          iss: server.url,
          jti: claims.jti,
          env: 'sandbox',
          acct: merchantId,
        });
      }
      // client_secret_post too.
      const posted = await oauthPost(api, '/oauth/introspect', { token, client_id: client.clientId, client_secret: client.clientSecret });
      expect(posted.body.active).toBe(true);
    });

    it("another account's client learns nothing: exactly {active: false}", async () => {
      const token = await issueToken(api, client);
      expectInactive(await introspect(stranger, token));
      // The other way round as well.
      expectInactive(await introspect(client, await issueToken(api, stranger)));
    });

    it("the operator's client sees every account's tokens of its own environment, and only those", async () => {
      const token = await issueToken(api, client);
      const seen = await introspect(operatorClient, token);
      expect(seen.body).toMatchObject({ active: true, client_id: client.id, acct: merchantId, env: 'sandbox' });
      expectInactive(await introspect(operatorLiveClient, token));
      // A live client of the merchant itself can't see its sandbox tokens either.
      await openLive(api, server.operatorKeys.live, merchantId);
      const live = await createClient(api, server.operatorKeys.live, merchantId, { permissions: ['accounts.read'] });
      expectInactive(await introspect(live, token));
      expect((await introspect(operatorLiveClient, await issueToken(api, live))).body).toMatchObject({ active: true, env: 'live', client_id: live.id });
    });

    it('malformed and unknown-kid tokens: exactly {active: false}', async () => {
      const { privateKey } = server.tessera.signingKeys.signer();
      const real = decodeToken(await issueToken(api, client));
      const bogus = [
        'garbage',
        'eyJhbGciOiJFZERTQSJ9.e30.AAAA',
        'a.b.c',
        `${'eyJ'.padEnd(3000, 'A')}.x.y`,
        signToken({ ...real.header, kid: 'unknown-kid' }, real.claims, privateKey),
        client.clientSecret,
        server.operatorKeys.sandbox,
      ];
      for (const token of bogus) expectInactive(await introspect(client, token));
    });

    it('expired, revoked, and disabled-client tokens: exactly {active: false}', async () => {
      const op = server.operatorKeys.sandbox;
      const short = await createClient(api, op, merchantId, { permissions: ['accounts.read'], tokenLifetimeSeconds: 60 });
      const expiring = await issueToken(api, short);
      expect((await introspect(short, expiring)).body.active).toBe(true);
      const disabledLater = await createClient(api, op, merchantId, { permissions: ['accounts.read'] });
      const ofDisabled = await issueToken(api, disabledLater);
      const revoked = await issueToken(api, client);
      expect((await introspect(client, revoked)).body.active).toBe(true);

      expectRevokeAnswer(await revoke(client, revoked));
      expectInactive(await introspect(client, revoked));
      expectInactive(await introspect(operatorClient, revoked));

      expect((await introspect(client, ofDisabled)).body.active).toBe(true);
      expect((await api.patch(`/v1/accounts/${merchantId}/keys/${disabledLater.id}`, { enabled: false }, { key: op })).status).toBe(200);
      expectInactive(await introspect(client, ofDisabled));

      clock += 61_000 + 5_000;
      expectInactive(await introspect(short, expiring));
      expectInactive(await introspect(client, expiring));
    });

    it('the caller itself must be a valid client', async () => {
      const token = await issueToken(api, client);
      expectOAuthError(await oauthPost(api, '/oauth/introspect', { token }), 401, 'invalid_client');
      expectOAuthError(await oauthPost(api, '/oauth/introspect', { token }, { basic: { clientId: client.clientId, clientSecret: sibling.clientSecret } }), 401, 'invalid_client');
      // A token is not client authentication.
      expectOAuthError(await api.request('POST', '/oauth/introspect', { raw: `token=${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` } }), 401, 'invalid_client');
    });
  });

  describe('revocation', () => {
    it('answers 200 with an empty body for valid, unknown, malformed, and other clients\u2019 tokens', async () => {
      const { privateKey } = server.tessera.signingKeys.signer();
      const real = decodeToken(await issueToken(api, client));
      const tokens = [
        await issueToken(api, client),
        signToken({ ...real.header, kid: 'unknown-kid' }, real.claims, privateKey),
        'garbage',
        'a.b.c',
        await issueToken(api, stranger),
        await issueToken(api, sibling),
      ];
      for (const token of tokens) expectRevokeAnswer(await revoke(client, token));
      // token_type_hint is accepted (RFC 7009 §2.1), and a second revocation of the same token is fine.
      expectRevokeAnswer(await oauthPost(api, '/oauth/revoke', { token: tokens[0]!, token_type_hint: 'access_token' }, { basic: client }));
      expectRevokeAnswer(await oauthPost(api, '/oauth/revoke', { token: tokens[0]!, token_type_hint: 'refresh_token' }, { basic: client }));
    });

    it('only the client a token was issued to can revoke it', async () => {
      const token = await issueToken(api, client);
      expect((await use(token)).status).toBe(200);
      for (const other of [sibling, stranger, operatorClient]) {
        expectRevokeAnswer(await revoke(other, token));
        expect((await use(token)).status, `revoked by ${other.id}`).toBe(200);
        expect((await introspect(client, token)).body.active).toBe(true);
      }
      expectRevokeAnswer(await revoke(client, token));
      expectError(await use(token), 401, 'token_revoked');
      // Other tokens of the same client live on.
      expect((await use(await issueToken(api, client))).status).toBe(200);
    });

    it('a revoked token is refused on every node until it would have expired; then its row can be pruned', async () => {
      const node2 = await startNode();
      const token = await issueToken(api, client);
      const { jti, exp } = decodeToken(token).claims;
      // Cached on both nodes first.
      expect((await use(token)).status).toBe(200);
      expect((await use(token, node2.api)).status).toBe(200);

      expectRevokeAnswer(await revoke(client, token));
      expectError(await use(token), 401, 'token_revoked');
      expectError(await use(token, node2.api), 401, 'token_revoked');
      // A node started after the revocation reads it from the database.
      const node3 = await startNode();
      expectError(await use(token, node3.api), 401, 'token_revoked');

      // Revoked through another node: this one refuses it on its next request.
      const second = await issueToken(api, client);
      expect((await use(second)).status).toBe(200);
      expect((await use(second, node2.api)).status).toBe(200);
      expectRevokeAnswer(await revoke(client, second, node2.api));
      expectError(await use(second), 401, 'token_revoked');
      expectError(await use(second, node3.api), 401, 'token_revoked');

      const db = await openDirectDatabase(server, { readonly: false });
      try {
        const rows = () => db.query<{ jti: string; expires_at: number | string }>('SELECT jti, expires_at FROM oauth_revocations WHERE jti = ?', [jti]);
        expect((await rows()).map((r) => Number(r.expires_at))).toEqual([exp * 1000]);
        // Still within its life: a prune keeps it, and it stays refused.
        await server.tessera.core.store.oauthRevocations.pruneExpired(clock);
        expect(await rows()).toHaveLength(1);
        clock = exp * 1000 - 1000;
        expectError(await use(token), 401, 'token_revoked');
        expectError(await use(token, node2.api), 401, 'token_revoked');
        // Past its expiry it is refused as expired anyway, and the revocation can go.
        clock = exp * 1000 + 10_000;
        expectError(await use(token), 401, 'token_expired');
        await server.tessera.core.store.oauthRevocations.pruneExpired(clock);
        expect(await rows()).toEqual([]);
        const node4 = await startNode();
        expectError(await use(token, node4.api), 401, 'token_expired');
      } finally {
        await db.close();
      }
    });

    it('the caller must be a valid client, as for every OAuth endpoint', async () => {
      const token = await issueToken(api, client);
      expectOAuthError(await oauthPost(api, '/oauth/revoke', { token }), 401, 'invalid_client');
      expectOAuthError(await oauthPost(api, '/oauth/revoke', { token }, { basic: { clientId: client.clientId, clientSecret: 'wrong' } }), 401, 'invalid_client');
      expect((await use(token)).status).toBe(200);
    });
  });
});
