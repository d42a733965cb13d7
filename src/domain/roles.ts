import { listOperations, type Operation } from './operations.js';
import type { AccountType } from './principal.js';

/**
 * Dashboard roles. A user's permissions on an account are those of their
 * role there, computed here and nowhere else:
 * - viewer: every read operation (no change at all);
 * - developer: viewer, plus key management and webhook endpoint management;
 * - owner: everything the account's type may do, members included.
 * Operator-only operations stay with the operator account whatever the role
 * (`decideOperation` checks that first).
 */
export const ROLES = ['owner', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

function isRead(op: Operation): boolean {
  return op.name.endsWith('.read') || op.name.endsWith('.list');
}

const DEVELOPER_EXTRA = new Set(['keys.create', 'keys.update', 'keys.roll', 'keys.delete', 'webhook_endpoints.manage']);

function operationsOf(role: Role, accountType: AccountType): readonly string[] {
  return listOperations()
    .filter((op) => op.category !== 'operator' || accountType === 'operator')
    .filter((op) => role === 'owner' || isRead(op) || (role === 'developer' && DEVELOPER_EXTRA.has(op.name)))
    .map((op) => op.name);
}

const TABLE = new Map<string, readonly string[]>();
for (const role of ROLES) for (const type of ['operator', 'partner', 'merchant'] as const) TABLE.set(`${role}:${type}`, operationsOf(role, type));

/** The operations a role may perform on an account of this type (built once). */
export function roleOperations(role: Role, accountType: AccountType): readonly string[] {
  return TABLE.get(`${role}:${accountType}`)!;
}
