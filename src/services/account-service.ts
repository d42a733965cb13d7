import type { Account } from '../domain/account.js';
import { notFound, TesseraError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { Operation } from '../domain/operations.js';
import { decideAccountAccess } from '../domain/permissions.js';
import type { AccountType, Principal } from '../domain/principal.js';
import type { Store } from '../storage/store.js';
import { auditEvent } from './audit-trail.js';
import { recordAccountEvent } from './events.js';
import type { CredentialChangeListener, ManagementContext } from './management-context.js';

export interface UpdateAccountInput {
  name?: string | undefined;
  allowedOrigins?: string[] | undefined;
}

export const MAX_ALLOWED_ORIGINS = 50;

/** `https://shop.example` or, for development, `http://localhost:3000`: a scheme, a host, maybe a port, nothing else. */
function normalizeOrigin(text: string, index: number): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    url = new URL('invalid://');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== text.replace(/\/$/, '') || url.username !== '' || url.password !== '') {
    throw new TesseraError('invalid_field', `\`allowedOrigins[${index}]\` must be an origin: a scheme, host and optional port, like https://shop.example (no path).`, { param: `allowedOrigins[${index}]` });
  }
  return url.origin;
}

export interface CreateAccountInput {
  type: 'partner' | 'merchant';
  name: string;
  parentId?: string | undefined;
}

export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly listener: CredentialChangeListener,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The account in the path, if the caller may reach it for this operation.
   * Accounts the caller can't reach answer 404, as if they did not exist.
   */
  async resolveFor(principal: Principal, accountId: string, op: Operation): Promise<Account> {
    const account = await this.store.accounts.findById(accountId);
    if (account === undefined) throw notFound('account', accountId, 'accountId');
    const access = decideAccountAccess(principal, account, op);
    if (access === 'not_found') throw notFound('account', accountId, 'accountId');
    if (access === 'own_keys_forbidden') {
      throw new TesseraError(
        'cannot_manage_own_keys',
        `A secret key can't manage its own account's keys (a leaked key must not mint more). Use the dashboard, the CLI, or a restricted key created with ${op.name}.`,
      );
    }
    return account;
  }

  /** For the operator's CLI, which may reach every account. */
  async require(accountId: string): Promise<Account> {
    const account = await this.store.accounts.findById(accountId);
    if (account === undefined) throw notFound('account', accountId, 'accountId');
    return account;
  }

  async create(creator: { accountId: string; accountType: AccountType } | null, input: CreateAccountInput, ctx: ManagementContext): Promise<Account> {
    let parentId: string | null = null;
    if (creator !== null && creator.accountType === 'merchant') {
      throw new TesseraError('account_type_not_allowed', 'Merchants cannot create accounts. Partners create their sub-merchants; the operator creates partners and merchants.');
    }
    if (creator !== null && creator.accountType === 'partner') {
      if (input.type !== 'merchant') throw new TesseraError('account_type_not_allowed', 'A partner can only create merchant accounts (its sub-merchants).', { param: 'type' });
      if (input.parentId !== undefined && input.parentId !== creator.accountId) {
        throw new TesseraError('invalid_field', '`parentId` must be your own account id (or left out): a partner creates sub-merchants under itself.', { param: 'parentId' });
      }
      parentId = creator.accountId;
    } else if (input.parentId !== undefined) {
      if (input.type !== 'merchant') throw new TesseraError('invalid_field', 'Only merchants have a parent (their partner); leave `parentId` out for a partner.', { param: 'parentId' });
      const parent = await this.store.accounts.findById(input.parentId);
      if (parent === undefined || parent.type !== 'partner') {
        throw new TesseraError('invalid_field', `\`parentId\` must be the id of a partner account; ${input.parentId} is not one.`, { param: 'parentId' });
      }
      parentId = parent.id;
    }
    const now = this.now();
    const account: Account = { id: newId('account'), type: input.type, name: input.name, parentId, liveEnabled: false, allowedOrigins: [], createdAt: now };
    await this.store.transaction(async (tx) => {
      await tx.accounts.insert(account);
      await tx.audit.append(
        auditEvent(ctx, { accountId: account.id, environment: ctx.environment ?? 'sandbox', action: 'account.created', targetType: 'account', targetId: account.id, details: { type: account.type, name: account.name, parentId } }, now),
      );
    });
    return account;
  }

  async listVisibleTo(viewer: { accountId: string; accountType: AccountType } | null): Promise<Account[]> {
    if (viewer === null) return this.store.accounts.listVisibleTo({ id: '', type: 'operator' });
    return this.store.accounts.listVisibleTo({ id: viewer.accountId, type: viewer.accountType });
  }

  /** Settings of an account; its keys' cached copies (which carry the origins) are dropped everywhere. */
  async update(account: Account, input: UpdateAccountInput, ctx: ManagementContext): Promise<Account> {
    const origins = input.allowedOrigins?.map(normalizeOrigin);
    if (origins !== undefined && origins.length > MAX_ALLOWED_ORIGINS) {
      throw new TesseraError('invalid_field', `\`allowedOrigins\` takes at most ${MAX_ALLOWED_ORIGINS} origins.`, { param: 'allowedOrigins' });
    }
    const updated: Account = { ...account, ...(input.name !== undefined && { name: input.name }), ...(origins !== undefined && { allowedOrigins: [...new Set(origins)] }) };
    const now = this.now();
    await this.store.transaction(async (tx) => {
      await tx.accounts.updateSettings(account.id, { name: updated.name, allowedOrigins: updated.allowedOrigins });
      await tx.credentialChanges.record(account.id, now);
      const changes = { ...(input.name !== undefined && { name: updated.name }), ...(origins !== undefined && { allowedOrigins: updated.allowedOrigins }) };
      await tx.audit.append(auditEvent(ctx, { accountId: account.id, environment: ctx.environment ?? 'sandbox', action: 'account.updated', targetType: 'account', targetId: account.id, details: { changes } }, now));
    });
    await this.listener.credentialChanged(account.id);
    return updated;
  }

  /** Go-live (Aurora): the operator opens an account's live environment. */
  async openLive(account: Account, ctx: ManagementContext): Promise<Account> {
    if (account.liveEnabled) return account;
    const now = this.now();
    await this.store.transaction(async (tx) => {
      await tx.accounts.setLiveEnabled(account.id, true);
      await tx.audit.append(auditEvent(ctx, { accountId: account.id, environment: 'live', action: 'account.live_opened', targetType: 'account', targetId: account.id, details: {} }, now));
      await recordAccountEvent(tx, 'account.live_opened', { ...account, liveEnabled: true }, 'live', now);
    });
    return { ...account, liveEnabled: true };
  }
}
