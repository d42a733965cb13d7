import { describe, expect, it } from 'vitest';
import { AttemptThrottle } from '../../src/domain/attempt-throttle.js';
import { listOperations } from '../../src/domain/operations.js';
import { decideIssuance, decideOperation, validatePermissionNames } from '../../src/domain/permissions.js';
import { roleOperations } from '../../src/domain/roles.js';
import { csrfTokenMatches, csrfTokenOf, newOpaqueToken, sessionTokenFromCookies } from '../../src/domain/session-token.js';

describe('dashboard roles', () => {
  it('viewer: every read operation and nothing else', () => {
    const viewer = roleOperations('viewer', 'merchant');
    expect(viewer.every((op) => op.endsWith('.read') || op.endsWith('.list'))).toBe(true);
    expect(viewer).toEqual(expect.arrayContaining(['keys.read', 'audit_events.read', 'members.read', 'operations.list', 'balance.read']));
  });

  it('developer: the viewer’s, plus key and webhook endpoint management', () => {
    const extra = roleOperations('developer', 'partner').filter((op) => !roleOperations('viewer', 'partner').includes(op));
    expect(extra.sort()).toEqual(['keys.create', 'keys.delete', 'keys.roll', 'keys.update', 'webhook_endpoints.manage']);
  });

  it('owner: everything the account type may do; operator operations only for the operator', () => {
    expect(roleOperations('owner', 'operator')).toEqual(listOperations().map((op) => op.name));
    const merchantOwner = roleOperations('owner', 'merchant');
    expect(merchantOwner).not.toContain('accounts.open_live');
    expect(merchantOwner).not.toContain('keys.verify');
    expect(merchantOwner).toEqual(expect.arrayContaining(['members.manage', 'accounts.create', 'accounts.update', 'keys.create']));
  });

  it('a user principal gets its role’s operations; own-key management and issuance are not limited as for secret keys', () => {
    const owner = { kind: 'user' as const, accountType: 'merchant' as const, permissions: roleOperations('owner', 'merchant') };
    const viewer = { ...owner, permissions: roleOperations('viewer', 'merchant') };
    const create = listOperations().find((op) => op.name === 'keys.create')!;
    expect(decideOperation(owner, create)).toEqual({ allowed: true });
    expect(decideOperation(viewer, create).allowed).toBe(false);
    expect(decideOperation(owner, listOperations().find((op) => op.name === 'keys.verify')!).allowed).toBe(false);
    expect(decideIssuance(owner, { kind: 'secret', permissions: [] })).toEqual({ allowed: true });
  });

  it('members.* is never granted to a key, and keys other than the operator’s secret keys can’t use it', () => {
    expect(validatePermissionNames(['members.manage', 'members.read', 'keys.read'], 'operator').forbidden).toEqual(['members.manage', 'members.read']);
    const manage = listOperations().find((op) => op.name === 'members.manage')!;
    expect(decideOperation({ kind: 'secret', accountType: 'partner', permissions: [] }, manage).allowed).toBe(false);
    expect(decideOperation({ kind: 'restricted', accountType: 'operator', permissions: ['members.manage'] }, manage).allowed).toBe(false);
    expect(decideOperation({ kind: 'secret', accountType: 'operator', permissions: [] }, manage)).toEqual({ allowed: true });
  });
});

describe('session tokens and CSRF', () => {
  it('the CSRF token derives from the session token and compares in constant time', () => {
    const token = newOpaqueToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfTokenMatches(token, csrfTokenOf(token))).toBe(true);
    expect(csrfTokenMatches(token, csrfTokenOf(newOpaqueToken()))).toBe(false);
    expect(csrfTokenMatches(token, undefined)).toBe(false);
    expect(csrfTokenMatches(token, '')).toBe(false);
  });

  it('reads the session cookie among others', () => {
    expect(sessionTokenFromCookies('a=1; tessera_session=abc; b=2')).toBe('abc');
    expect(sessionTokenFromCookies('tessera_sessionx=abc')).toBeNull();
    expect(sessionTokenFromCookies(undefined)).toBeNull();
  });
});

describe('sign-in throttle', () => {
  it('allows `limit` attempts per sliding window, then says how long to wait', () => {
    let now = 1_000_000;
    const throttle = new AttemptThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterSeconds('ip')).toBe(0);
      throttle.record('ip');
      now += 10_000;
    }
    expect(throttle.retryAfterSeconds('ip')).toBe(30);
    expect(throttle.retryAfterSeconds('other')).toBe(0);
    now += 30_000;
    expect(throttle.retryAfterSeconds('ip')).toBe(0);
    throttle.forget('ip');
    expect(throttle.retryAfterSeconds('ip')).toBe(0);
  });

  it('remembers a bounded number of keys', () => {
    const throttle = new AttemptThrottle(1, 60_000, () => 0, 2);
    throttle.record('a');
    throttle.record('b');
    throttle.record('c');
    expect(throttle.retryAfterSeconds('a')).toBe(0);
    expect(throttle.retryAfterSeconds('c')).toBeGreaterThan(0);
  });
});
