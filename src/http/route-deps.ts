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
import type { ClientSecretService } from '../services/client-secrets.js';
import type { TokenSigningKeys } from '../services/oauth/token-signing-keys.js';
import type { SessionService } from '../services/session-service.js';
import type { MemberService } from '../services/member-service.js';
import type { KeyUsageService } from '../services/key-usage.js';

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
  clientSecrets: ClientSecretService;
  signingKeys: TokenSigningKeys;
  oauth: Config['oauth'];
  /** The environment a request is pinned to by host or path prefix; null when its credential decides. */
  environmentOf: (raw: IncomingMessage) => Environment | null;
  /** The reference payments API: checkout, card tokens, payment requests, refunds, cashouts. */
  payments: Payments;
  isReady: () => Promise<boolean>;
  /** The dashboard: sign-in and sessions, members and invitations, per-key usage. */
  sessions: SessionService;
  members: MemberService;
  keyUsage: KeyUsageService;
  now: () => number;
}

export function managementContext(request: FastifyRequest): ManagementContext {
  const principal = principalOf(request);
  // A dashboard user is recorded as themselves (their usr_ id), with no credential.
  const actor = principal.kind === 'user'
    ? { type: 'user' as const, id: principal.credentialId, credentialId: null, ip: request.ip, requestId: request.id }
    : { type: 'credential' as const, id: principal.credentialId, credentialId: principal.credentialId, ip: request.ip, requestId: request.id };
  return {
    actor,
    environment: principal.environment,
    principal,
  };
}
