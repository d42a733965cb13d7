import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import type { Api, ApiResponse } from './api.js';
import { createAccount, createKey, openLive, type IssuedKey } from './fixtures.js';
import type { TestServer } from './server.js';

/** The sandbox test cards docs/payments.md documents. */
export const CARDS = {
  success: '4242424242424242',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  decline: '4000000000000002',
  insufficientFunds: '4000000000009995',
  processingError: '4000000000000119',
} as const;

/** OneKey's mandatory headers, for the cashout family. */
export const ONEKEY_HEADERS = { 'content-type': 'application/json', 'user-agent': 'tessera-tests/1.0' } as const;

export interface PaymentsMerchant {
  id: string;
  name: string;
  secret: IssuedKey;
  publishable: IssuedKey;
  /** Present when the merchant was opened for live. */
  live?: { secret: IssuedKey; publishable: IssuedKey };
}

/** A merchant with a sandbox secret and publishable key (and live ones, when asked). */
export async function paymentsMerchant(server: TestServer, api: Api, options: { name?: string; live?: boolean } = {}): Promise<PaymentsMerchant> {
  const name = options.name ?? 'Shop';
  const id = await createAccount(api, server.operatorKeys.sandbox, { type: 'merchant', name });
  const secret = await createKey(api, server.operatorKeys.sandbox, id, { kind: 'secret', name: 'server' });
  const publishable = await createKey(api, server.operatorKeys.sandbox, id, { kind: 'publishable', name: 'web' });
  const merchant: PaymentsMerchant = { id, name, secret, publishable };
  if (options.live === true) {
    await openLive(api, server.operatorKeys.live, id);
    merchant.live = {
      secret: await createKey(api, server.operatorKeys.live, id, { kind: 'secret', name: 'live server' }),
      publishable: await createKey(api, server.operatorKeys.live, id, { kind: 'publishable', name: 'live web' }),
    };
  }
  return merchant;
}

/** An expiry a few years after the server's clock. */
export function futureExpiry(now: number): { expMonth: number; expYear: number } {
  return { expMonth: 12, expYear: new Date(now).getUTCFullYear() + 3 };
}

export function cardBody(number: string, now: number, cvc = number.startsWith('3') ? '1234' : '123'): Record<string, unknown> {
  return { number, ...futureExpiry(now), cvc };
}

/** POST /v1/tokens with a publishable key; fails the test unless a token comes back. */
export async function tokenize(api: Api, publishableKey: string, number: string, now: number = Date.now(), headers: Record<string, string> = {}): Promise<string> {
  const response = await api.post('/v1/tokens', cardBody(number, now), { key: publishableKey, headers });
  expect(response.status, response.text).toBe(201);
  return response.body.id as string;
}

export const REDIRECTS = { successUrl: 'https://shop.example/done', cancelUrl: 'https://shop.example/cart', errorUrl: 'https://shop.example/oops' } as const;

export async function createSession(api: Api, secretKey: string, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/checkout/sessions', { amount: 2500, currency: 'USD', description: 'Two tickets', ...REDIRECTS, ...body }, { key: secretKey });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

export function completeSession(api: Api, sessionId: string, token: string): Promise<ApiResponse> {
  return api.post(`/v1/checkout/sessions/${sessionId}/complete`, { token });
}

/** OneKey's Payload-Signature: hex HMAC-SHA256 of the exact body with the key's signing secret. */
export function payloadSignature(hmacKey: string, body: string): string {
  return createHmac('sha256', hmacKey).update(body, 'utf8').digest('hex');
}

/** A signed OneKey-style call: Basic/Bearer key, mandatory headers, Payload-Signature over the raw body. */
export function signedPost(api: Api, path: string, key: IssuedKey, body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const raw = JSON.stringify(body);
  return api.request('POST', path, { key: key.secret, raw, headers: { ...ONEKEY_HEADERS, 'payload-signature': payloadSignature(key.hmacKey as string, raw), ...headers } });
}

/** A GET of the cashout family with OneKey's mandatory headers (signed when the key signs: Payload-Signature of the empty body). */
export function oneKeyGet(api: Api, path: string, key: IssuedKey): Promise<ApiResponse> {
  const signature: Record<string, string> = typeof key.hmacKey === 'string' ? { 'payload-signature': payloadSignature(key.hmacKey, '') } : {};
  return api.get(path, { key: key.secret, headers: { ...ONEKEY_HEADERS, ...signature } });
}

/** A fresh Luhn-valid 16-digit number that no test card or other test shares. */
export function randomCardNumber(prefix = '4'): string {
  let digits = prefix;
  while (digits.length < 15) digits += String(Math.floor(Math.random() * 10));
  for (let check = 0; check < 10; check++) {
    const candidate = digits + check;
    if (luhn(candidate)) return candidate;
  }
  throw new Error('unreachable');
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}
