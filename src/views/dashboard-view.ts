import type { Static } from 'typebox';
import type { DashboardSession, Invitation, Membership, User } from '../domain/user.js';
import type { InvitationView as InvitationViewSchema, MemberView as MemberViewSchema, SessionInfoView, SessionView as SessionViewSchema, UsageView as UsageViewSchema, UserView as UserViewSchema } from '../http/schemas/dashboard.js';
import type { UsageBucket } from '../services/key-usage.js';
import type { MembershipWithAccount, NewSession } from '../services/session-service.js';
import { accountView } from './account-view.js';
import { csrfTokenOf } from '../domain/session-token.js';
import { roleOperations } from '../domain/roles.js';
import type { Credential } from '../domain/credential.js';

export function userView(user: User): Static<typeof UserViewSchema> {
  return { id: user.id, object: 'user', email: user.email, name: user.name, createdAt: new Date(user.createdAt).toISOString() };
}

/** The session as the dashboard reads it: who, where, and the CSRF token (derived, never stored). */
export function sessionInfoView(session: DashboardSession, user: User, memberships: MembershipWithAccount[], token: string, idleExpiresAt: number): Static<typeof SessionInfoView> {
  return {
    id: session.id,
    object: 'session',
    user: userView(user),
    memberships: memberships.map((m) => ({ accountId: m.accountId, role: m.role, permissions: [...roleOperations(m.role, m.account.type)], account: accountView(m.account) })),
    csrfToken: csrfTokenOf(token),
    createdAt: new Date(session.createdAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    idleExpiresAt: new Date(idleExpiresAt).toISOString(),
  };
}

export function newSessionView(created: NewSession, idleExpiresAt: number): Static<typeof SessionInfoView> {
  return sessionInfoView(created.session, created.user, created.memberships, created.token, idleExpiresAt);
}

export function sessionView(session: DashboardSession, currentId: string): Static<typeof SessionViewSchema> {
  return {
    id: session.id,
    object: 'session',
    current: session.id === currentId,
    createdAt: new Date(session.createdAt).toISOString(),
    lastSeenAt: new Date(session.lastSeenAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    ip: session.ip,
    userAgent: session.userAgent,
  };
}

export function invitationView(invitation: Invitation): Static<typeof InvitationViewSchema> {
  return {
    id: invitation.id,
    object: 'invitation',
    accountId: invitation.accountId,
    email: invitation.email,
    role: invitation.role,
    invitedBy: { type: invitation.inviterType, id: invitation.inviterId },
    createdAt: new Date(invitation.createdAt).toISOString(),
    expiresAt: new Date(invitation.expiresAt).toISOString(),
  };
}

export function memberView(user: User, membership: Membership): Static<typeof MemberViewSchema> {
  return { object: 'member', userId: user.id, email: user.email, name: user.name, role: membership.role, joinedAt: new Date(membership.createdAt).toISOString() };
}

export function usageView(credential: Credential, hours: number, buckets: UsageBucket[]): Static<typeof UsageViewSchema> {
  const totals = { ok: 0, '401': 0, '403': 0, '429': 0 };
  for (const b of buckets) for (const k of ['ok', '401', '403', '429'] as const) totals[k] += b.counts[k];
  return {
    object: 'key_usage',
    keyId: credential.id,
    environment: credential.environment,
    hours,
    buckets: buckets.map((b) => ({ hour: new Date(b.hour).toISOString(), ...b.counts })),
    totals,
  };
}

