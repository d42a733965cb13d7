import type { Account } from '../domain/account.js';
import { newId } from '../domain/ids.js';
import type { Store } from '../storage/store.js';
import { auditEvent } from './audit-trail.js';
import type { KeyService } from './key-service.js';
import type { ManagementContext } from './management-context.js';

export interface BootstrapResult {
  operator: Account;
  /** Present only on the start that created the operator: printed once, stored nowhere. */
  issued: { sandbox: { id: string; secret: string }; live: { id: string; secret: string } } | null;
}

const SYSTEM: ManagementContext = {
  actor: { type: 'system', id: 'bootstrap', credentialId: null, ip: null, requestId: null },
  environment: null,
  principal: null,
};

/** On an empty database: the operator account, live open, and one secret key per environment. */
export async function ensureOperator(store: Store, keys: KeyService, now: () => number = Date.now): Promise<BootstrapResult> {
  const existing = await store.accounts.findOperator();
  if (existing !== undefined) return { operator: existing, issued: null };
  const operator: Account = { id: newId('account'), type: 'operator', name: 'Operator', parentId: null, liveEnabled: true, allowedOrigins: [], createdAt: now() };
  await store.transaction(async (tx) => {
    await tx.accounts.insert(operator);
    await tx.audit.append(auditEvent(SYSTEM, { accountId: operator.id, environment: 'live', action: 'account.created', targetType: 'account', targetId: operator.id, details: { type: 'operator' } }, now()));
  });
  const sandbox = await keys.create(operator, { kind: 'secret', environment: 'sandbox', name: 'Bootstrap operator key (sandbox)' }, SYSTEM);
  const live = await keys.create(operator, { kind: 'secret', environment: 'live', name: 'Bootstrap operator key (live)' }, SYSTEM);
  return {
    operator,
    issued: { sandbox: { id: sandbox.credential.id, secret: sandbox.secret }, live: { id: live.credential.id, secret: live.secret } },
  };
}
