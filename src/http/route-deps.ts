import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../services/authenticator.js';
import type { AccountService } from '../services/account-service.js';
import type { AuditLogService } from '../services/audit-log.js';
import type { KeyService } from '../services/key-service.js';
import type { ManagementContext } from '../services/management-context.js';
import type { EventService } from '../services/events.js';
import type { WebhookService } from '../services/webhook-service.js';
import { principalOf } from './authentication.js';
import type { Metrics } from './metrics.js';
import type { Payments } from '../services/payments.js';
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.js';
import type { Environment } from '../domain/environment.js';
import type { TokenService } from '../services/oauth/token-service.js';
import type { TokenSigningKeys } from '../services/oauth/token-signing-keys.js';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What route handlers may call: services, never storage or crypto directly. */
export interface RouteDeps {
  accounts: AccountService;
  keys: KeyService;
  auditLog: AuditLogService;
  webhooks: WebhookService;
  events: EventService;
  authenticator: Authenticator;
  metrics: Metrics;
  tokens: TokenService;
  signingKeys: TokenSigningKeys;
  oauth: Config['oauth'];
  /** The environment a request is pinned to by host or path prefix; null when its credential decides. */
  environmentOf: (raw: IncomingMessage) => Environment | null;
  /** The reference payments API: checkout, card tokens, payment requests, refunds, cashouts. */
  payments: Payments;
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
