import { createPublicKey, verify } from 'node:crypto';
import { expect } from 'vitest';
import type { Ed25519PrivateKey } from '../../src/crypto/ed25519.js';
import type { Api, ApiResponse } from './api.js';
import { createKey } from './fixtures.js';

export const FORM = 'application/x-www-form-urlencoded';

/** RFC 6749 §5.2, the only error codes a token endpoint may answer. */
export const OAUTH_ERROR_CODES = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'] as const;

export interface ClientCredential {
  id: string;
  clientId: string;
  clientSecret: string;
}

/** Creates a client credential through the API. */
export async function createClient(api: Api, key: string, accountId: string, body: Record<string, unknown>): Promise<ClientCredential> {
  const issued = await createKey(api, key, accountId, { kind: 'client', ...body });
  expect(issued.clientSecret).toMatch(/^tsr_cc_(sandbox|live)_/);
  return { id: issued.id, clientId: issued.clientId as string, clientSecret: issued.clientSecret as string };
}

/** RFC 6749 §2.3.1: client_id and client_secret are form-urlencoded, then joined by a colon and base64-encoded. */
export function basicAuthorization(clientId: string, secret: string, encode: (s: string) => string = (s) => encodeURIComponent(s).replace(/%20/g, '+')): string {
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/** A form body; pairs may repeat a name. */
export function formBody(params: Record<string, string> | Array<[string, string]>): string {
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  const search = new URLSearchParams();
  for (const [name, value] of pairs) search.append(name, value);
  return search.toString();
}

export interface OAuthCall {
  /** client_secret_basic with these credentials. */
  basic?: ClientCredential | { clientId: string; clientSecret: string };
  headers?: Record<string, string>;
}

/** A form POST to an OAuth endpoint. */
export function oauthPost(api: Api, path: string, params: Record<string, string> | Array<[string, string]>, call: OAuthCall = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'content-type': FORM, ...call.headers };
  if (call.basic !== undefined) headers.authorization = basicAuthorization(call.basic.clientId, call.basic.clientSecret);
  return api.request('POST', path, { raw: formBody(params), headers });
}

/** client_credentials with client_secret_basic; fails the test unless a token is issued. */
export async function issueToken(api: Api, client: { clientId: string; clientSecret: string }, options: { scope?: string; headers?: Record<string, string> } = {}): Promise<string> {
  const response = await oauthPost(api, '/oauth/token', { grant_type: 'client_credentials', ...(options.scope !== undefined && { scope: options.scope }) }, { basic: client, ...(options.headers && { headers: options.headers }) });
  expect(response.status, response.text).toBe(200);
  return response.body.access_token as string;
}

/** Cache-Control: no-store, as RFC 6749 §5.1 requires of every token endpoint answer. */
export function expectNoStore(response: ApiResponse): void {
  expect(response.headers.get('cache-control'), response.text).toBe('no-store');
}

/** An RFC 6749 §5.2 error answer: exact status, exactly `{error, error_description}`, never cached. */
export function expectOAuthError(response: ApiResponse, status: number, code: (typeof OAUTH_ERROR_CODES)[number]): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(response.body).sort(), response.text).toEqual(['error', 'error_description']);
  expect(response.body.error, response.text).toBe(code);
  expect(typeof response.body.error_description).toBe('string');
  expect(response.body.error_description.length).toBeGreaterThan(10);
  // §5.2: printable ASCII without `"` and `\`.
  expect(response.body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
  expectNoStore(response);
}

export interface DecodedToken {
  header: Record<string, unknown>;
  claims: Record<string, any>;
  signature: Buffer;
  signingInput: string;
}

/** Splits a compact JWS without trusting it. */
export function decodeToken(token: string): DecodedToken {
  const [h, p, s] = token.split('.');
  expect(s, `not a compact JWS: ${token.slice(0, 40)}`).toBeDefined();
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')), claims: JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')), signature: Buffer.from(s!, 'base64url'), signingInput: `${h}.${p}` };
}

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token signed here, with a private key the test holds: any header, any claims. */
export function signToken(header: Record<string, unknown>, claims: Record<string, unknown>, privateKey: Ed25519PrivateKey): string {
  const input = `${b64json(header)}.${b64json(claims)}`;
  return `${input}.${privateKey.signBase64url(Buffer.from(input))}`;
}

/** The same token with its claims replaced and its original signature kept. */
export function withClaims(token: string, change: (claims: Record<string, any>) => Record<string, any>): string {
  const [h, p, s] = token.split('.');
  return `${h}.${b64json(change(JSON.parse(Buffer.from(p!, 'base64url').toString('utf8'))))}.${s}`;
}

/** Verifies a token against a JWKS document with Node's own crypto, independently of Tessera's code. */
export function verifiesWithJwks(token: string, jwks: { keys: Array<Record<string, unknown>> }): boolean {
  const decoded = decodeToken(token);
  const jwk = jwks.keys.find((k) => k.kid === decoded.header.kid);
  if (jwk === undefined) return false;
  const publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
  return verify(null, Buffer.from(decoded.signingInput), publicKey, decoded.signature);
}
