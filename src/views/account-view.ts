import type { Static } from 'typebox';
import type { AccountView as AccountViewSchema } from '../http/schemas/account.js';
import type { Account } from '../domain/account.js';

export type AccountView = Static<typeof AccountViewSchema>;

export function accountView(account: Account): AccountView {
  return {
    id: account.id,
    object: 'account',
    type: account.type,
    name: account.name,
    parentId: account.parentId,
    liveEnabled: account.liveEnabled,
    allowedOrigins: account.allowedOrigins,
    createdAt: new Date(account.createdAt).toISOString(),
  };
}
