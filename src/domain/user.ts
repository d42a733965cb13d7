import type { Role } from './roles.js';

/** A dashboard user: signs in with email and password; acts on accounts through memberships. */
export interface User {
  id: string;
  /** Lower-cased and trimmed; unique. */
  email: string;
  name: string;
  createdAt: number;
  disabledAt: number | null;
}

export interface Membership {
  userId: string;
  accountId: string;
  role: Role;
  createdAt: number;
}

/** A signed-in browser. Only a digest of its token is stored. */
export interface DashboardSession {
  id: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end, whatever the activity. */
  expiresAt: number;
  revokedAt: number | null;
  ip: string | null;
  userAgent: string | null;
}

export interface Invitation {
  id: string;
  /** Null for the first owner's link: whoever opens it chooses the email. */
  email: string | null;
  accountId: string;
  role: Role;
  inviterType: 'user' | 'credential' | 'cli' | 'system';
  inviterId: string;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
  acceptedUserId: string | null;
}

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function looksLikeEmail(email: string): boolean {
  return email.length <= 254 && EMAIL.test(email);
}

/** When a session stops working: its absolute end, or `idleMs` after it was last used, whichever is first. */
export function sessionEndsAt(session: DashboardSession, idleMs: number): number {
  return Math.min(session.expiresAt, session.lastSeenAt + idleMs);
}
