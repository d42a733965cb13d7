import type { Environment } from './environment.js';

export interface AuditEvent {
  id: string;
  accountId: string;
  environment: Environment;
  /** e.g. `key.created`, `key.disabled`, `account.live_opened`. */
  action: string;
  actorType: 'credential' | 'user' | 'cli' | 'system';
  actorId: string;
  credentialId: string | null;
  targetType: string;
  targetId: string;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  createdAt: number;
}

export interface AuditFilter {
  action?: string;
  actorId?: string;
  /** Events made with this credential or about it. */
  keyId?: string;
  from?: number;
  to?: number;
  /** Cursor: events strictly older than this one. */
  before?: { createdAt: number; id: string };
  limit: number;
}
