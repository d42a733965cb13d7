import { createContext, useContext } from 'react';
import type { Account, Api, Environment, Membership, SessionInfo } from './api';

export interface DashboardState {
  session: SessionInfo;
  /** The membership acted as: its role decides what may be done. */
  membership: Membership;
  /** The account on screen: the membership's own, or (partner, operator) one below it. */
  account: Account;
  environment: Environment;
  api: Api;
  /** May this user perform the operation here? (their role's operations, as GET /v1/session says) */
  can: (operation: string) => boolean;
  /** The account on screen is the one acted as (payments pages exist only there). */
  own: boolean;
  /** Something failed with an expired or revoked session: back to sign-in. */
  signedOut: (why: string) => void;
  /** Show another account (a sub-merchant), keeping the membership. */
  view: (account: Account) => void;
  /** After a change to the accounts list (a new sub-merchant). */
  accountsChanged: () => void;
}

export const Dashboard = createContext<DashboardState | null>(null);

export function useDashboard(): DashboardState {
  const state = useContext(Dashboard);
  if (state === null) throw new Error('useDashboard outside the dashboard');
  return state;
}
