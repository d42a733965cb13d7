import { OPERATIONS, type Operation } from './operations.js';
import type { AccountType, CredentialKind, Principal } from './principal.js';

export type PermissionDecision =
  | { allowed: true }
  | { allowed: false; code: 'permission_denied' | 'cannot_manage_own_keys'; reason: string };

const ALLOWED: PermissionDecision = { allowed: true };

/**
 * May this credential perform the operation at all, on some account it can
 * reach? Target-specific rules (own keys, tenancy) come later, in
 * `decideAccountAccess`, because they need the target account.
 */
export function decideOperation(principal: Pick<Principal, 'kind' | 'accountType' | 'permissions'>, op: Operation): PermissionDecision {
  if (op.category === 'operator' && principal.accountType !== 'operator') {
    return { allowed: false, code: 'permission_denied', reason: `${op.name} is reserved for the operator's credentials.` };
  }
  if (op.category === 'membership' && principal.kind !== 'user' && !(principal.kind === 'secret' && principal.accountType === 'operator')) {
    return { allowed: false, code: 'permission_denied', reason: `${op.name} is for account owners in the dashboard and the operator's secret keys; no other key may manage who signs in.` };
  }
  switch (principal.kind) {
    case 'publishable':
      return op.category === 'public'
        ? ALLOWED
        : { allowed: false, code: 'permission_denied', reason: `Publishable keys may only call public operations; ${op.name} needs a secret or restricted key on your server.` };
    case 'restricted':
    case 'client':
    case 'client_secret':
      return op.category === 'public' || principal.permissions.includes(op.name)
        ? ALLOWED
        : { allowed: false, code: 'permission_denied', reason: `This key was not created with the ${op.name} permission. Permissions can't be added to an existing key: create a new restricted key that names ${op.name}.` };
    case 'user':
      // A dashboard user: the operations of their role on the account (src/domain/roles.ts).
      return op.category === 'public' || principal.permissions.includes(op.name)
        ? ALLOWED
        : { allowed: false, code: 'permission_denied', reason: `Your role on this account does not allow ${op.name}. Ask an owner of the account for a role that does.` };
    case 'secret':
      if (op.category === 'key_management' && principal.accountType === 'merchant') {
        return {
          allowed: false,
          code: 'cannot_manage_own_keys',
          reason: `A secret key can't manage its own account's keys (a leaked key must not mint more). Use the dashboard, the CLI, or a restricted key created with ${op.name}.`,
        };
      }
      return ALLOWED;
  }
}

export interface TargetAccount {
  id: string;
  type: AccountType;
  parentId: string | null;
}

export type AccountAccess = 'allowed' | 'not_found' | 'own_keys_forbidden';

/**
 * Tenancy: a caller reaches its own account, a partner its sub-merchants,
 * the operator every account. Anything else must look as if it did not exist.
 */
export function decideAccountAccess(principal: Pick<Principal, 'accountId' | 'accountType' | 'kind'>, target: TargetAccount, op: Operation): AccountAccess {
  const own = target.id === principal.accountId;
  const reachable = own || principal.accountType === 'operator' || target.parentId === principal.accountId;
  if (!reachable) return 'not_found';
  if (own && principal.kind === 'secret' && op.category === 'key_management') return 'own_keys_forbidden';
  return 'allowed';
}

/** Permissions a restricted key or client credential may be created with. */
export function validatePermissionNames(names: readonly string[], accountType: AccountType): { unknown: string[]; forbidden: string[] } {
  const unknown: string[] = [];
  const forbidden: string[] = [];
  for (const name of names) {
    const op = OPERATIONS.get(name);
    if (op === undefined) unknown.push(name);
    else if ((op.category === 'operator' && accountType !== 'operator') || op.category === 'membership') forbidden.push(name);
  }
  return { unknown, forbidden };
}

/**
 * No escalation through key management: a restricted key (or client
 * credential) that may manage keys can only issue, or roll and so obtain,
 * keys that can do no more than itself. Secret keys reaching this point act on
 * accounts below them (partner, operator) and are not limited.
 */
export function decideIssuance(caller: Pick<Principal, 'kind' | 'permissions'>, target: { kind: CredentialKind; permissions: readonly string[] }): PermissionDecision {
  // Dashboard users are the intended way to issue keys; their role decides whether they may.
  if (caller.kind === 'secret' || caller.kind === 'user' || target.kind === 'publishable') return ALLOWED;
  if (target.kind === 'secret') {
    return { allowed: false, code: 'permission_denied', reason: 'A restricted key can only issue or roll keys with no more permissions than its own: not secret keys. Use a secret key of the partner or operator, the CLI, or the dashboard.' };
  }
  const extra = target.permissions.filter((p) => !caller.permissions.includes(p));
  if (extra.length > 0) {
    return { allowed: false, code: 'permission_denied', reason: `A restricted key can only issue or roll keys with no more permissions than its own; this one lacks ${extra.join(', ')}.` };
  }
  return ALLOWED;
}

export function kindTakesPermissions(kind: CredentialKind): boolean {
  return kind === 'restricted' || kind === 'client';
}
