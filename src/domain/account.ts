import type { AccountType } from './principal.js';

export interface Account {
  id: string;
  type: AccountType;
  name: string;
  parentId: string | null;
  liveEnabled: boolean;
  createdAt: number;
}
