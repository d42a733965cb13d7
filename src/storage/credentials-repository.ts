import type { Kysely, Selectable } from 'kysely';
import type { AuthRecord, Credential } from '../domain/credential.js';
import type { Environment } from '../domain/environment.js';
import type { CredentialsTable, Database } from './schema.js';

function toCredential(row: Selectable<CredentialsTable>): Credential {
  return {
    id: row.id,
    accountId: row.account_id,
    environment: row.environment,
    kind: row.kind,
    name: row.name,
    permissions: JSON.parse(row.permissions) as string[],
    prefix: row.prefix,
    last4: row.last4,
    enabled: row.enabled === 1,
    expiresAt: row.expires_at,
    deletedAt: row.deleted_at,
    rateLimit:
      row.rate_limit_requests === null || row.rate_limit_window_seconds === null
        ? null
        : { requests: row.rate_limit_requests, windowSeconds: row.rate_limit_window_seconds },
    allowedIps: JSON.parse(row.allowed_ips) as string[],
    signing:
      row.signing_scheme === null || row.signing_algorithm === null
        ? null
        : { scheme: row.signing_scheme, algorithm: row.signing_algorithm, publicKey: row.signing_public_key },
    tokenLifetimeSeconds: row.token_lifetime_seconds,
    secretVersion: row.secret_version,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
  };
}

export interface CredentialPatch {
  name?: string;
  enabled?: boolean;
  metadata?: Record<string, string>;
  allowedIps?: string[];
  deletedAt?: number;
  last4?: string;
  secretVersion?: number;
  updatedAt: number;
}

export interface UsageSample {
  credentialId: string;
  at: number;
  ip: string;
}

export class CredentialsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** `sealedSigningSecret`: the HMAC secret sealed under the master key, when the key signs with HMAC. */
  async insert(credential: Credential, secretDigest: string, sealedSigningSecret: string | null = null): Promise<void> {
    await this.db
      .insertInto('credentials')
      .values({
        id: credential.id,
        account_id: credential.accountId,
        environment: credential.environment,
        kind: credential.kind,
        name: credential.name,
        permissions: JSON.stringify(credential.permissions),
        prefix: credential.prefix,
        last4: credential.last4,
        enabled: credential.enabled ? 1 : 0,
        expires_at: credential.expiresAt,
        deleted_at: credential.deletedAt,
        rate_limit_requests: credential.rateLimit?.requests ?? null,
        rate_limit_window_seconds: credential.rateLimit?.windowSeconds ?? null,
        metadata: JSON.stringify(credential.metadata),
        created_at: credential.createdAt,
        updated_at: credential.updatedAt,
        last_used_at: null,
        last_used_ip: null,
        allowed_ips: JSON.stringify(credential.allowedIps),
        signing_algorithm: credential.signing?.algorithm ?? null,
        signing_scheme: credential.signing?.scheme ?? null,
        signing_secret_sealed: sealedSigningSecret,
        signing_public_key: credential.signing?.publicKey ?? null,
        secret_version: credential.secretVersion,
        token_lifetime_seconds: credential.tokenLifetimeSeconds,
      })
      .execute();
    await this.addSecret(credential.id, secretDigest, credential.last4, credential.createdAt);
  }

  async addSecret(credentialId: string, digest: string, last4: string, now: number): Promise<void> {
    await this.db.insertInto('credential_secrets').values({ digest, credential_id: credentialId, last4, created_at: now, expires_at: null }).execute();
  }

  /** Starts the grace period of every secret of the credential except `keepDigest`. */
  async expireSecretsExcept(credentialId: string, keepDigest: string, expiresAt: number): Promise<void> {
    await this.db
      .updateTable('credential_secrets')
      .set({ expires_at: expiresAt })
      .where('credential_id', '=', credentialId)
      .where('digest', '!=', keepDigest)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', expiresAt)]))
      .execute();
  }

  async findAuthRecord(digest: string): Promise<AuthRecord | undefined> {
    const row = await this.db
      .selectFrom('credential_secrets as s')
      .innerJoin('credentials as c', 'c.id', 's.credential_id')
      .innerJoin('accounts as a', 'a.id', 'c.account_id')
      .selectAll('c')
      .select(['s.expires_at as secret_expires_at', 'a.type as account_type', 'a.allowed_origins as account_allowed_origins'])
      .where('s.digest', '=', digest)
      .executeTakeFirst();
    return row === undefined ? undefined : toAuthRecord(row);
  }

  /** By credential id, for access tokens, which name their client credential rather than carry its secret. */
  async findAuthRecordById(credentialId: string): Promise<AuthRecord | undefined> {
    const row = await this.db
      .selectFrom('credentials as c')
      .innerJoin('accounts as a', 'a.id', 'c.account_id')
      .selectAll('c')
      .select((eb) => [eb.val<number | null>(null).as('secret_expires_at'), 'a.type as account_type', 'a.allowed_origins as account_allowed_origins'])
      .where('c.id', '=', credentialId)
      .executeTakeFirst();
    return row === undefined ? undefined : toAuthRecord(row);
  }

  /** Scoped look-up: a credential of another account or environment does not exist for the caller. */
  async findInScope(accountId: string, environment: Environment, id: string): Promise<Credential | undefined> {
    const row = await this.db
      .selectFrom('credentials')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .where('environment', '=', environment)
      .executeTakeFirst();
    return row === undefined ? undefined : toCredential(row);
  }

  /** Unscoped, for the operator's CLI, which names the account and key explicitly. */
  async findById(id: string): Promise<Credential | undefined> {
    const row = await this.db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toCredential(row);
  }

  async list(accountId: string, environment: Environment | null, options: { includeDeleted: boolean }): Promise<Credential[]> {
    let query = this.db.selectFrom('credentials').selectAll().where('account_id', '=', accountId);
    if (environment !== null) query = query.where('environment', '=', environment);
    if (!options.includeDeleted) query = query.where('deleted_at', 'is', null);
    return (await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute()).map(toCredential);
  }

  async update(id: string, patch: CredentialPatch): Promise<void> {
    await this.db
      .updateTable('credentials')
      .set({
        updated_at: patch.updatedAt,
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
        ...(patch.metadata !== undefined && { metadata: JSON.stringify(patch.metadata) }),
        ...(patch.allowedIps !== undefined && { allowed_ips: JSON.stringify(patch.allowedIps) }),
        ...(patch.deletedAt !== undefined && { deleted_at: patch.deletedAt }),
        ...(patch.last4 !== undefined && { last4: patch.last4 }),
        ...(patch.secretVersion !== undefined && { secret_version: patch.secretVersion }),
      })
      .where('id', '=', id)
      .execute();
  }

  async digestsOf(credentialId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('credential_secrets').select('digest').where('credential_id', '=', credentialId).execute();
    return rows.map((r) => r.digest);
  }

  /** One write per batch of requests, never one per request. */
  async recordUsage(samples: UsageSample[]): Promise<void> {
    for (const sample of samples) {
      await this.db
        .updateTable('credentials')
        .set({ last_used_at: sample.at, last_used_ip: sample.ip })
        .where('id', '=', sample.credentialId)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sample.at)]))
        .execute();
    }
  }
}

function toAuthRecord(row: Selectable<CredentialsTable> & { secret_expires_at: number | null; account_type: AuthRecord['accountType']; account_allowed_origins: string }): AuthRecord {
  const { secret_expires_at, account_type, account_allowed_origins, ...credential } = row;
  return {
    credential: toCredential(credential),
    accountType: account_type,
    accountAllowedOrigins: JSON.parse(account_allowed_origins) as string[],
    sealedSigningSecret: credential.signing_secret_sealed,
    secretExpiresAt: secret_expires_at,
  };
}
