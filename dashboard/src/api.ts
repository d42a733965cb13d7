/** The dashboard's only backend: Tessera's public API, with the session cookie, the CSRF token and the account acted as. */

export type Environment = 'sandbox' | 'live';
export type Role = 'owner' | 'developer' | 'viewer';

export interface Account {
  id: string;
  type: 'operator' | 'partner' | 'merchant';
  name: string;
  parentId: string | null;
  liveEnabled: boolean;
  createdAt: string;
}

export interface Membership {
  accountId: string;
  role: Role;
  permissions: string[];
  account: Account;
}

export interface SessionInfo {
  id: string;
  user: { id: string; email: string; name: string };
  memberships: Membership[];
  csrfToken: string;
  expiresAt: string;
}

export interface ApiErrorBody {
  type: string;
  code: string;
  message: string;
  param?: string;
  request_id: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

export interface Context {
  csrfToken: string;
  /** The membership acted as (Tessera-Account). */
  actingAs: string;
  environment: Environment;
}

async function parse(response: Response, quiet: boolean): Promise<unknown> {
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: ApiErrorBody } | undefined)?.error;
    // An expired or revoked session: the app goes back to the sign-in page, saying why.
    if (!quiet && response.status === 401 && (error?.code === 'session_expired' || error?.code === 'session_invalid')) {
      window.dispatchEvent(new CustomEvent('tessera:session-ended', { detail: error.message }));
    }
    throw new ApiError(response.status, error ?? { type: 'api_error', code: 'network', message: `The server answered ${response.status}. Try again in a moment.`, request_id: '' });
  }
  return body;
}

async function send(method: string, url: string, headers: Record<string, string>, body?: unknown, quiet = false): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      // GETs too: the cashout family (balance) requires Content-Type on every call, as OneKey does.
      headers: { accept: 'application/json', ...((body !== undefined || method === 'GET') && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, { type: 'api_error', code: 'network', message: 'Tessera could not be reached. Check your connection, then try again.', request_id: '' });
  }
  return parse(response, quiet);
}

/** Sign-in, session and invitation calls: no account, no environment. */
export const sessionApi = {
  current: () => send('GET', '/v1/session', {}, undefined, true) as Promise<SessionInfo>,
  signIn: (email: string, password: string) => send('POST', '/v1/session', {}, { email, password }, true) as Promise<SessionInfo>,
  signOut: (csrfToken: string) => send('DELETE', '/v1/session', { 'x-csrf-token': csrfToken }),
  lookupInvitation: (token: string) =>
    send('POST', '/v1/invitations/lookup', {}, { token }) as Promise<{ email: string | null; role: Role; account: { id: string; name: string; type: string }; existingUser: boolean; expiresAt: string }>,
  acceptInvitation: (body: { token: string; password: string; email?: string; name?: string }) => send('POST', '/v1/invitations/accept', {}, body) as Promise<SessionInfo>,
  sessions: () => send('GET', '/v1/sessions', {}) as Promise<List<UserSession>>,
  revokeSession: (csrfToken: string, id: string) => send('DELETE', `/v1/sessions/${encodeURIComponent(id)}`, { 'x-csrf-token': csrfToken }),
};

export interface List<T> {
  data: T[];
  nextCursor?: string | null;
}

export interface UserSession {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

/** Management calls, in the chosen environment (/sandbox or /live prefix) as the chosen membership. */
export function apiFor(ctx: Context) {
  const base = `/${ctx.environment}`;
  const headers = (mutating: boolean): Record<string, string> => ({ 'tessera-account': ctx.actingAs, ...(mutating && { 'x-csrf-token': ctx.csrfToken }) });
  return {
    get: <T>(path: string) => send('GET', base + path, headers(false)) as Promise<T>,
    post: <T>(path: string, body: unknown = {}) => send('POST', base + path, headers(true), body) as Promise<T>,
    patch: <T>(path: string, body: unknown) => send('PATCH', base + path, headers(true), body) as Promise<T>,
    delete: <T>(path: string) => send('DELETE', base + path, headers(true)) as Promise<T>,
  };
}

export type Api = ReturnType<typeof apiFor>;

export function qs(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
