import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Name of the dashboard's session cookie. */
export const SESSION_COOKIE = 'tessera_session';

/** 256 random bits, base64url: the value of the session cookie, and of invitation links. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function looksLikeOpaqueToken(value: string): boolean {
  return TOKEN.test(value);
}

/**
 * The CSRF token of a session: HMAC-SHA256 keyed by the session token, so
 * only whoever holds the (httpOnly) cookie can derive it, and the server
 * recomputes it from the cookie on every request with no storage and no
 * server-wide secret (every node agrees).
 */
export function csrfTokenOf(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('tessera-dashboard-csrf').digest('base64url');
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfTokenMatches(sessionToken: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(csrfTokenOf(sessionToken));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The session token in a Cookie header, if any (the first one: browsers send the most specific first). */
export function sessionTokenFromCookies(header: string | undefined): string | null {
  if (header === undefined || header === '') return null;
  let found: string | null = null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (found === null) found = value;
  }
  return found;
}
