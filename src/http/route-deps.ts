import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../services/authenticator.js';
import type { AccountService } from '../services/account-service.js';
import type { AuditLogService } from '../services/audit-log.js';
import type { KeyService } from '../services/key-service.js';
import type { ManagementContext } from '../services/management-context.js';
import { principalOf } from './authentication.js';
import type { Metrics } from './metrics.js';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What route handlers may call: services, never storage or crypto directly. */
export interface RouteDeps {
  accounts: AccountService;
  keys: KeyService;
  auditLog: AuditLogService;
  authenticator: Authenticator;
  metrics: Metrics;
  isReady: () => Promise<boolean>;
  now: () => number;
}

export function managementContext(request: FastifyRequest): ManagementContext {
  const principal = principalOf(request);
  return {
    actor: { type: 'credential', id: principal.credentialId, credentialId: principal.credentialId, ip: request.ip, requestId: request.id },
    environment: principal.environment,
    principal,
  };
}
