import type { Environment } from './environment.js';

export type AccountType = 'operator' | 'partner' | 'merchant';
export type CredentialKind = 'secret' | 'restricted' | 'publishable' | 'client';

/** Who is calling, established by authentication and attached to the request. */
export interface Principal {
  accountId: string;
  accountType: AccountType;
  environment: Environment;
  credentialId: string;
  kind: CredentialKind;
  /** Operations named at creation; only meaningful for restricted keys and client credentials. */
  permissions: readonly string[];
}

/** Whoever made a management change, as recorded in the audit log. */
export interface Actor {
  type: 'credential' | 'cli' | 'system';
  id: string;
  credentialId: string | null;
  ip: string | null;
  requestId: string | null;
}
