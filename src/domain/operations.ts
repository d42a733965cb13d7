/**
 * Every operation a route performs and a permission can name. A route
 * declares exactly one; restricted keys list the ones they may perform.
 *
 * Categories decide who may perform an operation without naming it:
 * - public: publishable keys too (they may do nothing else);
 * - account: any secret key of the account;
 * - key_management: never the account's own secret key (a leaked key must not
 *   breed), but a partner's or the operator's secret key on accounts below it;
 * - operator: only credentials of the operator account;
 * - membership: who may use the dashboard for an account. Owners (dashboard
 *   users) and the operator's secret keys only; never granted to a key, since
 *   a user invited by a key could then mint any key (see src/domain/roles.ts).
 */
export type OperationCategory = 'public' | 'account' | 'key_management' | 'operator' | 'membership';

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
  { name: 'oauth.token', category: 'public', description: 'Authenticate as an OAuth client at /oauth/token, /oauth/introspect and /oauth/revoke.' },
  { name: 'client_secrets.create', category: 'account', description: "Mint a short-lived client secret for one checkout session or payment request, for the customer's browser or app." },
  { name: 'members.read', category: 'membership', description: "List an account's dashboard users, their roles and pending invitations." },
  { name: 'members.manage', category: 'membership', description: 'Invite dashboard users to an account, change their roles, remove them.' },
  { name: 'keys.verify', category: 'operator', description: "Ask whether a credential is good for an operation (operator's services)." },
  { name: 'webhook_endpoints.manage', category: 'account', description: 'Create, change, delete webhook endpoints, rotate their signing secrets, redeliver events.' },
  { name: 'webhook_endpoints.read', category: 'account', description: 'List and read webhook endpoints (never their secrets) and their delivery attempts.' },
  { name: 'events.read', category: 'account', description: 'List and read the events notifications are made of.' },
  { name: 'event_types.list', category: 'public', description: 'List every event type a webhook endpoint can subscribe to.' },
  // Reference payments API. Each is its own operation, so a restricted key can hold one without another.
  { name: 'checkout_sessions.create', category: 'account', description: 'Create a checkout session: a hosted page where a customer pays.' },
  { name: 'checkout_sessions.read', category: 'account', description: 'List checkout sessions with their redirect URLs and metadata (GET by id needs no key).' },
  { name: 'card_tokens.create', category: 'public', description: 'Turn card data into a single-use card token (publishable keys, from browsers).' },
  { name: 'payment_requests.create', category: 'account', description: 'Charge a card token, or create a pay-by-link payment request.' },
  { name: 'payment_requests.read', category: 'account', description: 'List and read payment requests and their refunds.' },
  { name: 'refunds.create', category: 'account', description: 'Refund a payment request, in full or in part.' },
  { name: 'cashouts.create', category: 'account', description: 'Pay out from the balance (signed requests only).' },
  { name: 'cashouts.read', category: 'account', description: 'List and read cashouts.' },
  { name: 'balance.read', category: 'account', description: 'Read the balance per currency.' },
  { name: 'deposits.create', category: 'account', description: 'Create a deposit to fund the balance (sandbox only).' },
  { name: 'deposits.approve', category: 'account', description: 'Approve a deposit, adding its amount to the balance (sandbox only).' },
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
