import { expect } from 'vitest';
import type { Role } from '../../src/domain/roles.js';
import type { ManagementContext } from '../../src/services/management-context.js';
import type { Api, ApiResponse } from './api.js';
import type { TestServer } from './server.js';

const CLI: ManagementContext = { actor: { type: 'cli', id: 'cli:test', credentialId: null, ip: null, requestId: null }, environment: null, principal: null };

/** An invitation as the operator's CLI makes it (`tessera users invite`): answers the one-time link's token. */
export async function invite(server: TestServer, accountId: string, email: string, role: Role): Promise<string> {
  const account = await server.tessera.core.accounts.require(accountId);
  const issued = await server.tessera.core.members.invite(account, { email, role }, CLI);
  return tokenOf(issued.url);
}

export function tokenOf(url: string): string {
  const token = new URL(url).hash.replace(/^#token=/, '');
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return token;
}

export function cookieOf(response: ApiResponse): string {
  const header = response.headers.get('set-cookie');
  expect(header, response.text).toBeTruthy();
  return header!.split(';')[0]!;
}

/** The dashboard's way of calling the API: session cookie, CSRF token, acting account, environment prefix. */
export class DashboardClient {
  constructor(
    readonly api: Api,
    readonly cookie: string,
    readonly csrfToken: string,
    public account: string | null,
    public environment: 'sandbox' | 'live' = 'sandbox',
  ) {}

  headers(mutating: boolean, extra: Record<string, string> = {}): Record<string, string> {
    return {
      cookie: this.cookie,
      ...(this.account !== null && { 'tessera-account': this.account }),
      ...(mutating && { 'x-csrf-token': this.csrfToken }),
      ...extra,
    };
  }

  private path(path: string): string {
    return path.startsWith('/v1/session') ? path : `/${this.environment}${path}`;
  }

  get(path: string, extra?: Record<string, string>) {
    return this.api.get(this.path(path), { headers: this.headers(false, extra) });
  }

  post(path: string, body?: unknown, extra?: Record<string, string>) {
    return this.api.post(this.path(path), body, { headers: this.headers(true, extra) });
  }

  patch(path: string, body?: unknown, extra?: Record<string, string>) {
    return this.api.patch(this.path(path), body, { headers: this.headers(true, extra) });
  }

  delete(path: string, extra?: Record<string, string>) {
    return this.api.delete(this.path(path), { headers: this.headers(true, extra) });
  }

  as(account: string, environment: 'sandbox' | 'live' = this.environment): DashboardClient {
    return new DashboardClient(this.api, this.cookie, this.csrfToken, account, environment);
  }
}

export const PASSWORD = 'correct horse battery staple';

/** Accepts an invitation with a new password: the user exists and is signed in. */
export async function acceptInvitation(api: Api, token: string, body: { password?: string; email?: string; name?: string } = {}): Promise<DashboardClient> {
  const response = await api.post('/v1/invitations/accept', { token, password: PASSWORD, ...body });
  expect(response.status, response.text).toBe(201);
  return new DashboardClient(api, cookieOf(response), response.body.csrfToken, response.body.memberships[0]?.accountId ?? null);
}

export async function signIn(api: Api, email: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<DashboardClient> {
  const response = await api.post('/v1/session', { email, password }, { headers });
  expect(response.status, response.text).toBe(201);
  return new DashboardClient(api, cookieOf(response), response.body.csrfToken, response.body.memberships[0]?.accountId ?? null);
}

/** A user invited to `accountId` with `role` who accepted: signed in, acting as that account. */
export async function member(server: TestServer, api: Api, accountId: string, email: string, role: Role): Promise<DashboardClient> {
  const client = await acceptInvitation(api, await invite(server, accountId, email, role));
  return client.as(accountId);
}
