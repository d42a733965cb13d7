import type { Kysely } from 'kysely';
import { AccountsRepository } from './accounts-repository.js';
import { AuditRepository } from './audit-repository.js';
import { CredentialChangesRepository } from './credential-changes-repository.js';
import { CredentialsRepository } from './credentials-repository.js';
import { IdempotencyRepository } from './idempotency-repository.js';
import { SealedValuesRepository } from './sealed-values-repository.js';
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
  }

  /** Runs `work` in one transaction: writes that belong together commit together or not at all. */
  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new Store(trx, this.dialect)));
  }
}
