/**
 * Every operation a route performs and a permission can name. A route
 * declares exactly one; restricted keys list the ones they may perform.
 *
 * Categories decide who may perform an operation without naming it:
 * - public: publishable keys too (they may do nothing else);
 * - account: any secret key of the account;
 * - key_management: never the account's own secret key (a leaked key must not
 *   breed), but a partner's or the operator's secret key on accounts below it;
 * - operator: only credentials of the operator account.
 */
export type OperationCategory = 'public' | 'account' | 'key_management' | 'operator';

export interface Operation {
  name: string;
  category: OperationCategory;
  description: string;
}

const OPERATION_LIST: Operation[] = [
  { name: 'operations.list', category: 'public', description: 'List every operation a permission can name.' },
  { name: 'accounts.create', category: 'account', description: 'Create a partner or merchant account (operators and partners).' },
  { name: 'accounts.read', category: 'account', description: 'Read accounts the caller may see.' },
  { name: 'accounts.update', category: 'account', description: "Rename an account or change the browser origins its publishable keys may be used from." },
  { name: 'accounts.open_live', category: 'operator', description: "Open an account's live environment (go-live)." },
  { name: 'keys.create', category: 'key_management', description: 'Create an API key or client credential.' },
  { name: 'keys.read', category: 'key_management', description: 'List and read API keys (never their secrets).' },
  { name: 'keys.update', category: 'key_management', description: "Enable, disable, rename a key or change its metadata." },
  { name: 'keys.roll', category: 'key_management', description: 'Replace a key secret, with a grace period for the old one.' },
  { name: 'keys.delete', category: 'key_management', description: 'Delete a key immediately.' },
  { name: 'audit_events.read', category: 'key_management', description: 'Read the append-only audit log.' },
  { name: 'keys.verify', category: 'operator', description: "Ask whether a credential is good for an operation (operator's services)." },
];

export const OPERATIONS: ReadonlyMap<string, Operation> = new Map(OPERATION_LIST.map((op) => [op.name, op]));

export function listOperations(): readonly Operation[] {
  return OPERATION_LIST;
}

export function getOperation(name: string): Operation {
  const op = OPERATIONS.get(name);
  if (op === undefined) throw new TypeError(`unknown operation ${name}: register it in src/domain/operations.ts`);
  return op;
}
