import type { Account } from '../domain/account.js';
import type { Environment } from '../domain/environment.js';
import { TesseraError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { secretDigest } from '../domain/digest.js';
import type { Role } from '../domain/roles.js';
import { looksLikeOpaqueToken, newOpaqueToken } from '../domain/session-token.js';
import { looksLikeEmail, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, normalizeEmail, type Invitation, type Membership, type User } from '../domain/user.js';
import type { Store } from '../storage/store.js';
import { auditEvent } from './audit-trail.js';
import type { ManagementContext } from './management-context.js';
import type { PasswordHasher } from './passwords.js';
import type { ClientInfo, NewSession, SessionService } from './session-service.js';

export interface IssuedInvitation {
  invitation: Invitation;
  /** The one-time link, shown this once: only a digest of its token is stored. */
  url: string;
}

export interface Member {
  user: User;
  membership: Membership;
}

export interface AcceptInput {
  token: string;
  password: string;
  /** Required when the invitation names no email (the first owner's link). */
  email?: string | undefined;
  name?: string | undefined;
}

const BOOTSTRAP: ManagementContext = { actor: { type: 'system', id: 'bootstrap', credentialId: null, ip: null, requestId: null }, environment: null, principal: null };

function inviterOf(ctx: ManagementContext): Pick<Invitation, 'inviterType' | 'inviterId'> {
  return { inviterType: ctx.actor.type, inviterId: ctx.actor.id };
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new TesseraError('invalid_field', `\`password\` must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long. A passphrase of a few words is easy to remember and hard to guess.`, { param: 'password' });
  }
}

/**
 * Who may use the dashboard for an account: invitations (one-time links),
 * members and their roles. Every change and its audit event commit together.
 */
export class MemberService {
  constructor(
    private readonly store: Store,
    private readonly passwords: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly publicUrl: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  linkFor(token: string): string {
    return `${this.publicUrl()}/dashboard/accept#token=${token}`;
  }

  async invite(account: Account, input: { email: string | null; role: Role }, ctx: ManagementContext): Promise<IssuedInvitation> {
    const email = input.email === null ? null : normalizeEmail(input.email);
    if (email !== null && !looksLikeEmail(email)) throw new TesseraError('invalid_field', '`email` is not an email address.', { param: 'email' });
    if (email !== null) {
      const existing = await this.store.users.findByEmail(email);
      if (existing !== undefined && (await this.store.memberships.find(existing.user.id, account.id)) !== undefined) {
        throw new TesseraError('already_member', `${email} is already a member of ${account.id}. Change their role instead.`, { param: 'email' });
      }
    }
    const now = this.now();
    const token = newOpaqueToken();
    const invitation: Invitation = {
      id: newId('invitation'),
      email,
      accountId: account.id,
      role: input.role,
      ...inviterOf(ctx),
      createdAt: now,
      expiresAt: now + this.sessions.settings.invitationTtlMs,
      acceptedAt: null,
      acceptedUserId: null,
    };
    await this.store.transaction(async (tx) => {
      await tx.invitations.insert(invitation, secretDigest(token));
      await tx.audit.append(this.audit(ctx, account.id, 'member.invited', 'invitation', invitation.id, { email, role: input.role, expiresAt: new Date(invitation.expiresAt).toISOString() }, now));
    });
    return { invitation, url: this.linkFor(token) };
  }

  /** On a fresh installation (no user yet): a link for the first owner of the operator account, or null. */
  async firstOwnerInvitation(operator: Account): Promise<IssuedInvitation | null> {
    if ((await this.store.users.count()) > 0) return null;
    return this.invite(operator, { email: null, role: 'owner' }, BOOTSTRAP);
  }

  /** What an invitation link is for, so the page can say it before asking for a password. */
  async lookup(token: string): Promise<{ invitation: Invitation; account: Account; existingUser: boolean }> {
    const invitation = await this.usable(token);
    const account = await this.store.accounts.findById(invitation.accountId);
    if (account === undefined) throw this.unknown();
    const existingUser = invitation.email !== null && (await this.store.users.findByEmail(invitation.email)) !== undefined;
    return { invitation, account, existingUser };
  }

  /**
   * Accepts an invitation: a new user sets their password; an existing one
   * (same email) proves theirs. Either way a membership, and a session.
   */
  async accept(input: AcceptInput, client: ClientInfo): Promise<NewSession> {
    const invitation = await this.usable(input.token);
    const email = invitation.email ?? (input.email === undefined ? undefined : normalizeEmail(input.email));
    if (email === undefined) throw new TesseraError('missing_field', 'This invitation names no email: give the `email` you will sign in with.', { param: 'email' });
    if (!looksLikeEmail(email)) throw new TesseraError('invalid_field', '`email` is not an email address.', { param: 'email' });
    const existing = await this.store.users.findByEmail(email);
    let user: User;
    let passwordHash: string | null = null;
    if (existing !== undefined) {
      if (existing.user.disabledAt !== null || !(await this.passwords.verify(existing.passwordHash, input.password))) {
        throw new TesseraError('sign_in_failed', `${email} already has a dashboard account: enter its password to join this account too.`, { param: 'password' });
      }
      user = existing.user;
    } else {
      checkPassword(input.password);
      passwordHash = await this.passwords.hash(input.password);
      user = { id: newId('user'), email, name: (input.name ?? '').trim() || email.split('@')[0]!, createdAt: this.now(), disabledAt: null };
    }
    const now = this.now();
    await this.store.transaction(async (tx) => {
      if (!(await tx.invitations.accept(invitation.id, user.id, now))) throw new TesseraError('invitation_used', 'This invitation was just used. Ask for a new one.');
      // Conditional inserts, not look-ups: two invitations accepted at the same moment must not end in a 500.
      if (passwordHash !== null && !(await tx.users.insert(user, passwordHash))) {
        throw new TesseraError('email_taken', `A dashboard user for ${email} was created a moment ago: accept the invitation again with that user's password.`, { param: 'email' });
      }
      if (!(await tx.memberships.insert({ userId: user.id, accountId: invitation.accountId, role: invitation.role, createdAt: now }))) {
        throw new TesseraError('already_member', `${email} is already a member of this account. Sign in instead.`);
      }
      const ctx: ManagementContext = { actor: { type: 'user', id: user.id, credentialId: null, ip: client.ip, requestId: null }, environment: null, principal: null };
      await tx.audit.append(this.audit(ctx, invitation.accountId, 'member.joined', 'user', user.id, { email, role: invitation.role, invitationId: invitation.id }, now));
    });
    return this.sessions.open(user, client);
  }

  async listMembers(account: Account): Promise<Member[]> {
    const memberships = await this.store.memberships.listByAccount(account.id);
    const users = new Map((await this.store.users.listByIds(memberships.map((m) => m.userId))).map((u) => [u.id, u]));
    return memberships.flatMap((membership) => {
      const user = users.get(membership.userId);
      return user === undefined ? [] : [{ user, membership }];
    });
  }

  listInvitations(account: Account): Promise<Invitation[]> {
    return this.store.invitations.listPending(account.id, this.now());
  }

  async revokeInvitation(account: Account, invitationId: string, ctx: ManagementContext): Promise<void> {
    const now = this.now();
    await this.store.transaction(async (tx) => {
      const invitation = await tx.invitations.findById(account.id, invitationId);
      if (invitation === undefined || invitation.acceptedAt !== null || invitation.expiresAt <= now) {
        throw new TesseraError('resource_not_found', `No pending invitation with id ${JSON.stringify(invitationId)}.`, { param: 'invitationId' });
      }
      await tx.invitations.expire(invitation.id, now);
      await tx.audit.append(this.audit(ctx, account.id, 'member.invitation_revoked', 'invitation', invitation.id, { email: invitation.email, role: invitation.role }, now));
    });
  }

  async changeRole(account: Account, userId: string, role: Role, ctx: ManagementContext): Promise<Member> {
    const now = this.now();
    return this.store.transaction(async (tx) => {
      const { user, membership } = await this.member(tx, account, userId);
      if (membership.role === role) return { user, membership };
      if (membership.role === 'owner' && (await tx.memberships.countOwnersForUpdate(account.id)) <= 1) {
        throw new TesseraError('last_owner', `${user.email} is the last owner of ${account.id}: make someone else an owner first.`, { param: 'role' });
      }
      await tx.memberships.updateRole(userId, account.id, role);
      await tx.audit.append(this.audit(ctx, account.id, 'member.role_changed', 'user', userId, { email: user.email, from: membership.role, to: role }, now));
      return { user, membership: { ...membership, role } };
    });
  }

  async remove(account: Account, userId: string, ctx: ManagementContext): Promise<void> {
    const now = this.now();
    await this.store.transaction(async (tx) => {
      const { user, membership } = await this.member(tx, account, userId);
      if (membership.role === 'owner' && (await tx.memberships.countOwnersForUpdate(account.id)) <= 1) {
        throw new TesseraError('last_owner', `${user.email} is the last owner of ${account.id}: make someone else an owner first.`, { param: 'userId' });
      }
      await tx.memberships.delete(userId, account.id);
      await tx.audit.append(this.audit(ctx, account.id, 'member.removed', 'user', userId, { email: user.email, role: membership.role }, now));
    });
  }

  /** Every user with their memberships (the operator's CLI). */
  async listUsers(): Promise<{ user: User; memberships: Membership[] }[]> {
    const users = await this.store.users.list();
    return Promise.all(users.map(async (user) => ({ user, memberships: await this.store.memberships.listByUser(user.id) })));
  }

  private async member(tx: Store, account: Account, userId: string): Promise<Member> {
    const membership = await tx.memberships.find(userId, account.id);
    const user = membership === undefined ? undefined : await tx.users.findById(userId);
    if (membership === undefined || user === undefined) throw new TesseraError('resource_not_found', `No member with id ${JSON.stringify(userId)} in this account.`, { param: 'userId' });
    return { user, membership };
  }

  private async usable(token: string): Promise<Invitation> {
    const invitation = looksLikeOpaqueToken(token) ? await this.store.invitations.findByDigest(secretDigest(token)) : undefined;
    if (invitation === undefined) throw this.unknown();
    if (invitation.acceptedAt !== null) throw new TesseraError('invitation_used', 'This invitation was already used. Sign in, or ask an owner for a new invitation.', { param: 'token' });
    if (invitation.expiresAt <= this.now()) throw new TesseraError('invitation_expired', 'This invitation expired. Ask an owner (or the operator: tessera users invite) for a new one.', { param: 'token' });
    return invitation;
  }

  private unknown(): TesseraError {
    return new TesseraError('invitation_invalid', 'This invitation link is not valid: check that the whole link was copied, or ask for a new one.', { param: 'token' });
  }

  private audit(ctx: ManagementContext, accountId: string, action: string, targetType: string, targetId: string, details: Record<string, unknown>, now: number) {
    const environment: Environment = ctx.environment ?? 'sandbox';
    return auditEvent(ctx, { accountId, environment, action, targetType, targetId, details }, now);
  }
}
