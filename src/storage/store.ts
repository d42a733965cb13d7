import type { Kysely } from 'kysely';
import { AccountsRepository } from './accounts-repository.js';
import { AuditRepository } from './audit-repository.js';
import { CredentialChangesRepository } from './credential-changes-repository.js';
import { CredentialsRepository } from './credentials-repository.js';
import { IdempotencyRepository } from './idempotency-repository.js';
import { SealedValuesRepository } from './sealed-values-repository.js';
import { OAuthRevocationsRepository } from './oauth-revocations-repository.js';
import { ClientSecretsRepository } from './client-secrets-repository.js';
import { OAuthSigningKeysRepository } from './oauth-signing-keys-repository.js';
import { EventsRepository } from './events-repository.js';
import { KeyExpiryNoticesRepository } from './key-expiry-notices-repository.js';
import { WebhookAttemptsRepository } from './webhook-attempts-repository.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries-repository.js';
import { WebhookEndpointsRepository } from './webhook-endpoints-repository.js';
import { BalancesRepository } from './balances-repository.js';
import { CardTokensRepository } from './card-tokens-repository.js';
import { CashoutsRepository } from './cashouts-repository.js';
import { CheckoutPageKeysRepository } from './checkout-page-keys-repository.js';
import { CheckoutSessionsRepository } from './checkout-sessions-repository.js';
import { DepositsRepository } from './deposits-repository.js';
import { PaymentRequestsRepository } from './payment-requests-repository.js';
import { PaymentsRepository } from './payments-repository.js';
import { RefundsRepository } from './refunds-repository.js';
import { UsersRepository } from './users-repository.js';
import { MembershipsRepository } from './memberships-repository.js';
import { DashboardSessionsRepository } from './dashboard-sessions-repository.js';
import { InvitationsRepository } from './invitations-repository.js';
import { CredentialUsageRepository } from './credential-usage-repository.js';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

/** PostgreSQL channel on which committed credential changes are announced. */
export const CHANGE_CHANNEL = 'tessera_credential_changes';

/**
 * The storage interface the services use: one repository per aggregate, all
 * bound to the same connection or transaction.
 */
export class Store {
  readonly accounts: AccountsRepository;
  readonly credentials: CredentialsRepository;
  readonly audit: AuditRepository;
  readonly credentialChanges: CredentialChangesRepository;
  readonly idempotency: IdempotencyRepository;
  readonly sealedValues: SealedValuesRepository;
  // Reference payments API
  readonly checkoutSessions: CheckoutSessionsRepository;
  readonly cardTokens: CardTokensRepository;
  readonly payments: PaymentsRepository;
  readonly paymentRequests: PaymentRequestsRepository;
  readonly refunds: RefundsRepository;
  readonly balances: BalancesRepository;
  readonly deposits: DepositsRepository;
  readonly cashouts: CashoutsRepository;
  readonly checkoutPageKeys: CheckoutPageKeysRepository;
  readonly events: EventsRepository;
  readonly webhookEndpoints: WebhookEndpointsRepository;
  readonly webhookDeliveries: WebhookDeliveriesRepository;
  readonly webhookAttempts: WebhookAttemptsRepository;
  readonly keyExpiryNotices: KeyExpiryNoticesRepository;
  readonly oauthSigningKeys: OAuthSigningKeysRepository;
  readonly oauthRevocations: OAuthRevocationsRepository;
  // Dashboard
  readonly users: UsersRepository;
  readonly memberships: MembershipsRepository;
  readonly dashboardSessions: DashboardSessionsRepository;
  readonly invitations: InvitationsRepository;
  readonly credentialUsage: CredentialUsageRepository;
  readonly clientSecrets: ClientSecretsRepository;

  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: Dialect,
  ) {
    this.accounts = new AccountsRepository(db);
    this.credentials = new CredentialsRepository(db);
    this.audit = new AuditRepository(db);
    this.credentialChanges = new CredentialChangesRepository(db, dialect === 'postgres' ? CHANGE_CHANNEL : null);
    this.idempotency = new IdempotencyRepository(db);
    this.sealedValues = new SealedValuesRepository(db);
    this.checkoutSessions = new CheckoutSessionsRepository(db);
    this.cardTokens = new CardTokensRepository(db);
    this.payments = new PaymentsRepository(db);
    this.paymentRequests = new PaymentRequestsRepository(db);
    this.refunds = new RefundsRepository(db);
    this.balances = new BalancesRepository(db);
    this.deposits = new DepositsRepository(db);
    this.cashouts = new CashoutsRepository(db);
    this.checkoutPageKeys = new CheckoutPageKeysRepository(db);
    this.events = new EventsRepository(db);
    this.webhookEndpoints = new WebhookEndpointsRepository(db, dialect === 'postgres');
    this.webhookDeliveries = new WebhookDeliveriesRepository(db);
    this.webhookAttempts = new WebhookAttemptsRepository(db);
    this.keyExpiryNotices = new KeyExpiryNoticesRepository(db);
    this.oauthSigningKeys = new OAuthSigningKeysRepository(db);
    this.oauthRevocations = new OAuthRevocationsRepository(db);
    this.users = new UsersRepository(db);
    this.memberships = new MembershipsRepository(db, dialect === 'postgres');
    this.dashboardSessions = new DashboardSessionsRepository(db);
    this.invitations = new InvitationsRepository(db);
    this.credentialUsage = new CredentialUsageRepository(db);
    this.clientSecrets = new ClientSecretsRepository(db);
  }

  /** Runs `work` in one transaction: writes that belong together commit together or not at all. */
  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new Store(trx, this.dialect)));
  }
}
