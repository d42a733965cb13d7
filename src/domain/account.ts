import type { AccountType } from './principal.js';

export interface Account {
  id: string;
  type: AccountType;
  name: string;
  parentId: string | null;
  liveEnabled: boolean;
  /** Browser origins allowed to call public operations with the account's publishable keys. */
  allowedOrigins: string[];
  createdAt: number;
}
