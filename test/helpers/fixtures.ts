import { expect } from 'vitest';
import type { Api } from './api.js';

/** Creates an account through the API and answers its id. */
export async function createAccount(api: Api, key: string, body: { type: 'partner' | 'merchant'; name: string; parentId?: string }): Promise<string> {
  const response = await api.post('/v1/accounts', body, { key });
  expect(response.status, response.text).toBe(201);
  return response.body.id as string;
}

export interface IssuedKey {
  id: string;
  secret: string;
  [field: string]: unknown;
}

/** Creates a key through the API; fails the test if the API refuses. */
export async function createKey(api: Api, key: string, accountId: string, body: Record<string, unknown>): Promise<IssuedKey> {
  const response = await api.post(`/v1/accounts/${accountId}/keys`, body, { key });
  expect(response.status, response.text).toBe(201);
  return response.body as IssuedKey;
}

export async function openLive(api: Api, operatorLiveKey: string, accountId: string): Promise<void> {
  const response = await api.post(`/v1/accounts/${accountId}/open-live`, undefined, { key: operatorLiveKey });
  expect(response.status, response.text).toBe(200);
}
