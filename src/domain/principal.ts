import type { Environment } from './environment.js';

export type AccountType = 'operator' | 'partner' | 'merchant';
export type CredentialKind = 'secret' | 'restricted' | 'publishable' | 'client';

/** Who is calling, established by authentication and attached to the request. */
export interface Principal {
  accountId: string;
  accountType: AccountType;
  environment: Environment;
  credentialId: string;
  /** `user`: a dashboard user acting as a member of the account (credentialId is then the user id). */
  kind: CredentialKind | 'client_secret' | 'user';
  /** Operations named at creation; only meaningful for restricted keys and client credentials. */
  permissions: readonly string[];
  /** A client secret's one customer-facing object: nothing else is within its reach. */
  boundObject?: BoundObject;
}

/** Whoever made a management change, as recorded in the audit log. */
export interface Actor {
  type: 'credential' | 'user' | 'cli' | 'system';
  id: string;
  credentialId: string | null;
  ip: string | null;
  requestId: string | null;
}

export type BoundObjectType = 'checkout_session' | 'payment_request';

export interface BoundObject {
  type: BoundObjectType;
  id: string;
}
