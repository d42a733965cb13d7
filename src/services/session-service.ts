import type { Account } from '../domain/account.js';
import { AttemptThrottle } from '../domain/attempt-throttle.js';
import { secretDigest } from '../domain/digest.js';
import { TesseraError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { looksLikeOpaqueToken, newOpaqueToken } from '../domain/session-token.js';
import { normalizeEmail, sessionEndsAt, type DashboardSession, type Membership, type User } from '../domain/user.js';
import type { Store } from '../storage/store.js';
import type { PasswordHasher } from './passwords.js';

export interface DashboardSettings {
  /** Absolute lifetime of a session. */
  sessionTtlMs: number;
  /** A session unused for this long ends. */
  sessionIdleMs: number;
  /** How long an invitation link works. */
  invitationTtlMs: number;
  /** Sign-in attempts per IP per minute, and failed attempts per email per 15 minutes. */
  signInPerIpPerMinute: number;
  signInFailuresPerEmail: number;
}

export interface MembershipWithAccount extends Membership {
  account: Account;
}

/** A signed-in session with who it belongs to: what every dashboard request is authenticated to. */
export interface ActiveSession {
  session: DashboardSession;
  user: User;
  /** The cookie's token, to derive the CSRF token from. */
  token: string;
}

export interface NewSession extends ActiveSession {
  memberships: MembershipWithAccount[];
}

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

/** A session is touched at most this often: idle expiry does not need a write per request. */
const TOUCH_EVERY_MS = 60_000;

const WRONG = 'The email or password is wrong.';

/**
 * Sign-in, sessions and their expiry. Sessions live in the database (a
 * digest of the token only), so revocation and expiry bite on every node at
 * the next request. Sign-in is throttled per IP and per email in memory.
 */
export class SessionService {
  private readonly perIp: AttemptThrottle;
  private readonly perEmail: AttemptThrottle;

  constructor(
    private readonly store: Store,
    private readonly passwords: PasswordHasher,
    readonly settings: DashboardSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.perIp = new AttemptThrottle(settings.signInPerIpPerMinute, 60_000, now);
    this.perEmail = new AttemptThrottle(settings.signInFailuresPerEmail, 15 * 60_000, now);
  }

  /**
   * Email and password to a new session. Every failure answers the same
   * generic message, after the same argon2 work, whether the email exists or not.
   */
  async signIn(emailInput: string, password: string, client: ClientInfo): Promise<NewSession> {
    const email = normalizeEmail(emailInput);
    const wait = Math.max(this.perIp.retryAfterSeconds(client.ip), this.perEmail.retryAfterSeconds(email));
    if (wait > 0) {
      throw new TesseraError('sign_in_throttled', `Too many sign-in attempts. Wait ${wait} seconds, then try again.`, { headers: { 'retry-after': String(wait) } });
    }
    this.perIp.record(client.ip);
    const found = await this.store.users.findByEmail(email);
    const valid = found === undefined ? await this.passwords.verifyNobody(password) : await this.passwords.verify(found.passwordHash, password);
    if (!valid || found === undefined || found.user.disabledAt !== null) {
      this.perEmail.record(email);
      throw new TesseraError('sign_in_failed', WRONG, { headers: { 'www-authenticate': 'Cookie realm="tessera-dashboard"' } });
    }
    this.perEmail.forget(email);
    return this.open(found.user, client);
  }

  /** Opens a session for a user who just proved who they are (sign-in, accepted invitation). */
  async open(user: User, client: ClientInfo): Promise<NewSession> {
    const now = this.now();
    const token = newOpaqueToken();
    const session: DashboardSession = {
      id: newId('session'),
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.settings.sessionTtlMs,
      revokedAt: null,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
    };
    await this.store.dashboardSessions.insert(session, secretDigest(token));
    return { session, user, token, memberships: await this.membershipsOf(user.id) };
  }

  /** The session behind a cookie's token, if it still works; touched so that idle expiry restarts. */
  async authenticate(token: string): Promise<ActiveSession | TesseraError> {
    // Built only when refusing: an Error captures a stack, and most requests are signed in.
    const invalid = () => new TesseraError('session_invalid', 'You are not signed in (or were signed out). Sign in to the dashboard again.', { headers: { 'www-authenticate': 'Cookie realm="tessera-dashboard"' } });
    if (!looksLikeOpaqueToken(token)) return invalid();
    const session = await this.store.dashboardSessions.findByDigest(secretDigest(token));
    if (session === undefined || session.revokedAt !== null) return invalid();
    const now = this.now();
    if (sessionEndsAt(session, this.settings.sessionIdleMs) <= now) {
      return new TesseraError('session_expired', 'Your dashboard session expired. Sign in again.', { headers: { 'www-authenticate': 'Cookie realm="tessera-dashboard"' } });
    }
    const user = await this.store.users.findById(session.userId);
    if (user === undefined || user.disabledAt !== null) return invalid();
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      await this.store.dashboardSessions.touch(session.id, now);
      session.lastSeenAt = now;
    }
    return { session, user, token };
  }

  async membershipsOf(userId: string): Promise<MembershipWithAccount[]> {
    const memberships = await this.store.memberships.listByUser(userId);
    const result: MembershipWithAccount[] = [];
    for (const m of memberships) {
      const account = await this.store.accounts.findById(m.accountId);
      if (account !== undefined) result.push({ ...m, account });
    }
    return result;
  }

  async membership(userId: string, accountId: string): Promise<MembershipWithAccount | undefined> {
    const m = await this.store.memberships.find(userId, accountId);
    if (m === undefined) return undefined;
    const account = await this.store.accounts.findById(accountId);
    return account === undefined ? undefined : { ...m, account };
  }

  async list(userId: string): Promise<DashboardSession[]> {
    const now = this.now();
    return (await this.store.dashboardSessions.listActive(userId, now)).filter((s) => sessionEndsAt(s, this.settings.sessionIdleMs) > now);
  }

  /** Ends one of the user's sessions; another user's session id answers 404, as if it did not exist. */
  async revoke(userId: string, sessionId: string): Promise<void> {
    const revoked = await this.store.dashboardSessions.revoke(userId, sessionId, this.now());
    if (!revoked) throw new TesseraError('resource_not_found', `No active session with id ${JSON.stringify(sessionId)}.`, { param: 'sessionId' });
  }

  idleEndsAt(session: DashboardSession): number {
    return sessionEndsAt(session, this.settings.sessionIdleMs);
  }

  async prune(): Promise<void> {
    await this.store.dashboardSessions.pruneBefore(this.now() - 24 * 3600_000);
  }
}
