import type { Account } from '../domain/account.js';
import type { AuditEvent } from '../domain/audit-event.js';
import type { Credential } from '../domain/credential.js';
import { secretDigest } from '../domain/digest.js';
import type { Environment } from '../domain/environment.js';
import { notFound, TesseraError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { generateSecret, secretPrefix, type SecretKind } from '../domain/key-format.js';
import { listOperations } from '../domain/operations.js';
import { decideIssuance, kindTakesPermissions, validatePermissionNames } from '../domain/permissions.js';
import type { CredentialKind } from '../domain/principal.js';
import type { RateLimit } from '../domain/rate-limiter.js';
import type { MasterKeyring } from '../crypto/master-key.js';
import { MAX_ALLOWED_IPS, normalizeAllowedIps } from '../domain/ip-allowlist.js';
import type { Store } from '../storage/store.js';
import { prepareSigning, type SigningRequest } from './key-signing.js';
import { auditEvent } from './audit-trail.js';
import { recordKeyEvent } from './events.js';
import type { CredentialChangeListener, ManagementContext } from './management-context.js';

export const MAX_GRACE_SECONDS = 7 * 24 * 3600;

export interface CreateKeyInput {
  kind: CredentialKind;
  environment?: Environment | undefined;
  name?: string | undefined;
  permissions?: string[] | undefined;
  expiresAt?: number | null | undefined;
  rateLimit?: RateLimit | null | undefined;
  metadata?: Record<string, string> | undefined;
  allowedIps?: string[] | undefined;
  signing?: SigningRequest | undefined;
  /** Client credentials: lifetime of the access tokens they obtain. */
  tokenLifetimeSeconds?: number | undefined;
}

export interface UpdateKeyInput {
  enabled?: boolean | undefined;
  name?: string | undefined;
  metadata?: Record<string, string> | undefined;
  allowedIps?: string[] | undefined;
}

export interface IssuedKey {
  credential: Credential;
  secret: string;
  /** The HMAC signing secret, when one was generated: shown this once. */
  hmacKey?: string | null;
}

function validAllowedIps(entries: string[] | undefined): string[] | undefined {
  if (entries === undefined) return undefined;
  if (entries.length > MAX_ALLOWED_IPS) throw new TesseraError('invalid_field', `\`allowedIps\` takes at most ${MAX_ALLOWED_IPS} entries.`, { param: 'allowedIps' });
  const result = normalizeAllowedIps(entries);
  if (!result.ok) throw new TesseraError('invalid_field', `\`allowedIps[${result.index}]\`: ${result.message}. Use an address (203.0.113.7, 2001:db8::1) or a CIDR range (203.0.113.0/24).`, { param: `allowedIps[${result.index}]` });
  return result.cidrs;
}

const DEFAULT_NAMES: Record<CredentialKind, string> = {
  secret: 'Secret key',
  restricted: 'Restricted key',
  publishable: 'Publishable key',
  client: 'Client credentials',
};

const SECRET_KINDS: Record<CredentialKind, SecretKind> = { secret: 'secret', restricted: 'restricted', publishable: 'publishable', client: 'client' };

/** Creates, changes and deletes keys; each change and its audit event commit in one transaction. */
export class KeyService {
  constructor(
    private readonly store: Store,
    private readonly brand: string,
    private readonly keyring: MasterKeyring,
    private readonly listener: CredentialChangeListener,
    private readonly limits: { maxTokenLifetimeSeconds: number },
    private readonly now: () => number = Date.now,
  ) {}

  async create(account: Account, input: CreateKeyInput, ctx: ManagementContext): Promise<IssuedKey> {
    const environment = this.resolveEnvironment(input.environment, ctx);
    if (environment === 'live' && !account.liveEnabled) {
      throw new TesseraError(
        'live_environment_closed',
        `The live environment of account ${account.id} is not open yet. The operator opens it at go-live (tessera accounts open-live ${account.id}); until then, create sandbox keys.`,
        { param: 'environment' },
      );
    }
    const permissions = this.validatePermissions(input.kind, input.permissions ?? [], account);
    this.refuseEscalation(ctx, { kind: input.kind, permissions });
    const now = this.now();
    if (input.expiresAt != null && input.expiresAt <= now) {
      throw new TesseraError('invalid_field', '`expiresAt` is in the past: give a future time, or leave it out for a key that does not expire.', { param: 'expiresAt' });
    }
    const allowedIps = validAllowedIps(input.allowedIps) ?? [];
    const id = newId('key');
    const signing = prepareSigning(input.signing ?? {}, { brand: this.brand, environment, credentialId: id, keyring: this.keyring });
    if (signing.settings !== null && (input.kind === 'publishable' || input.kind === 'client')) {
      const why = input.kind === 'publishable' ? 'Publishable keys are used from browsers, which can keep no signing secret' : 'Client credentials only authenticate at /oauth/token; the access tokens they obtain are what calls the API';
      throw new TesseraError('invalid_field', `${why}: sign with a secret or restricted key.`, { param: 'generateHMAC' });
    }
    const tokenLifetimeSeconds = this.validateTokenLifetime(input.kind, input.tokenLifetimeSeconds);
    const secret = generateSecret(this.brand, SECRET_KINDS[input.kind], environment);
    const credential: Credential = {
      id,
      accountId: account.id,
      environment,
      kind: input.kind,
      name: input.name ?? DEFAULT_NAMES[input.kind],
      permissions,
      prefix: secretPrefix(this.brand, SECRET_KINDS[input.kind], environment),
      last4: secret.slice(-4),
      enabled: true,
      expiresAt: input.expiresAt ?? null,
      deletedAt: null,
      rateLimit: input.rateLimit ?? null,
      allowedIps,
      signing: signing.settings,
      tokenLifetimeSeconds,
      secretVersion: 0,
      metadata: input.metadata ?? {},
      createdAt: now,
      updatedAt: now,
      lastUsedAt: null,
      lastUsedIp: null,
    };
    await this.store.transaction(async (tx) => {
      await tx.credentials.insert(credential, secretDigest(secret), signing.sealed);
      await tx.audit.append(
        this.auditEvent('key.created', credential, ctx, now, { kind: credential.kind, name: credential.name, permissions, signing: signing.settings?.scheme ?? null, allowedIps }),
      );
      await recordKeyEvent(tx, 'key.created', credential, now);
    });
    return { credential, secret, hmacKey: signing.hmacKey };
  }

  async list(account: Account, ctx: ManagementContext, options: { includeDeleted: boolean }): Promise<Credential[]> {
    return this.store.credentials.list(account.id, ctx.environment, options);
  }

  async get(account: Account, keyId: string, ctx: ManagementContext): Promise<Credential> {
    const credential = ctx.environment === null ? await this.store.credentials.findById(keyId) : await this.store.credentials.findInScope(account.id, ctx.environment, keyId);
    if (credential === undefined || credential.accountId !== account.id) throw notFound('API key', keyId, 'keyId');
    return credential;
  }

  async update(account: Account, keyId: string, input: UpdateKeyInput, ctx: ManagementContext): Promise<Credential> {
    const now = this.now();
    const allowedIps = validAllowedIps(input.allowedIps);
    const changes = Object.fromEntries(Object.entries({ ...input, allowedIps }).filter(([, v]) => v !== undefined));
    if (Object.keys(changes).length === 0) return this.get(account, keyId, ctx);
    const updated = await this.store.transaction(async (tx) => {
      const credential = await this.getLive(tx, account, keyId, ctx);
      const action = input.enabled === undefined || input.enabled === credential.enabled ? 'key.updated' : input.enabled ? 'key.enabled' : 'key.disabled';
      // Disabling also bumps the secret version: access tokens obtained before stay dead if the key is enabled again.
      const secretVersion = input.enabled === false && credential.enabled ? credential.secretVersion + 1 : undefined;
      await tx.credentials.update(credential.id, { updatedAt: now, enabled: input.enabled, name: input.name, metadata: input.metadata, allowedIps, secretVersion });
      await tx.credentialChanges.record(credential.id, now);
      await tx.audit.append(this.auditEvent(action, credential, ctx, now, { changes }));
      await recordKeyEvent(tx, action, { ...credential, ...changes, updatedAt: now } as Credential, now);
      return { ...credential, ...changes, updatedAt: now } as Credential;
    });
    await this.listener.credentialChanged(keyId);
    return updated;
  }

  async roll(account: Account, keyId: string, graceSeconds: number, ctx: ManagementContext): Promise<IssuedKey & { previousSecretExpiresAt: number }> {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
      throw new TesseraError('invalid_field', `\`gracePeriodSeconds\` must be a whole number of seconds from 0 (the old secret dies now) to ${MAX_GRACE_SECONDS} (7 days).`, { param: 'gracePeriodSeconds' });
    }
    const now = this.now();
    const previousSecretExpiresAt = now + graceSeconds * 1000;
    const result = await this.store.transaction(async (tx) => {
      const credential = await this.getLive(tx, account, keyId, ctx);
      this.refuseEscalation(ctx, credential);
      const secret = generateSecret(this.brand, SECRET_KINDS[credential.kind], credential.environment);
      const digest = secretDigest(secret);
      await tx.credentials.addSecret(credential.id, digest, secret.slice(-4), now);
      await tx.credentials.expireSecretsExcept(credential.id, digest, previousSecretExpiresAt);
      // Access tokens carry the secret version: the roll kills every token obtained before it.
      await tx.credentials.update(credential.id, { updatedAt: now, last4: secret.slice(-4), secretVersion: credential.secretVersion + 1 });
      await tx.credentialChanges.record(credential.id, now);
      await tx.audit.append(this.auditEvent('key.rolled', credential, ctx, now, { gracePeriodSeconds: graceSeconds, previousSecretExpiresAt: new Date(previousSecretExpiresAt).toISOString() }));
      await recordKeyEvent(tx, 'key.rolled', { ...credential, last4: secret.slice(-4), updatedAt: now }, now, { previousSecretExpiresAt: new Date(previousSecretExpiresAt).toISOString() });
      return { credential: { ...credential, last4: secret.slice(-4), updatedAt: now, secretVersion: credential.secretVersion + 1 }, secret, previousSecretExpiresAt };
    });
    await this.listener.credentialChanged(keyId);
    return result;
  }

  async delete(account: Account, keyId: string, ctx: ManagementContext): Promise<Credential> {
    const now = this.now();
    const deleted = await this.store.transaction(async (tx) => {
      const credential = await this.getLive(tx, account, keyId, ctx);
      await tx.credentials.update(credential.id, { updatedAt: now, deletedAt: now });
      await tx.credentialChanges.record(credential.id, now);
      await tx.audit.append(this.auditEvent('key.deleted', credential, ctx, now, {}));
      await recordKeyEvent(tx, 'key.deleted', { ...credential, deletedAt: now, updatedAt: now }, now);
      return { ...credential, deletedAt: now, updatedAt: now };
    });
    await this.listener.credentialChanged(keyId);
    return deleted;
  }

  /**
   * A key seen where it must not travel (plain HTTP, when the operator treats
   * that as exposure) is disabled at once and the audit log says why. Unknown
   * or already disabled keys are left alone.
   */
  async disableExposed(secret: string, reason: string, ctx: ManagementContext): Promise<string | null> {
    const now = this.now();
    const record = await this.store.credentials.findAuthRecord(secretDigest(secret));
    if (record === undefined || record.credential.deletedAt !== null || !record.credential.enabled) return null;
    const credential = record.credential;
    await this.store.transaction(async (tx) => {
      await tx.credentials.update(credential.id, { updatedAt: now, enabled: false });
      await tx.credentialChanges.record(credential.id, now);
      await tx.audit.append(this.auditEvent('key.exposed', credential, ctx, now, { reason, disabled: true }));
      await recordKeyEvent(tx, 'key.exposed', { ...credential, enabled: false, updatedAt: now }, now, { reason });
    });
    await this.listener.credentialChanged(credential.id);
    return credential.id;
  }

  private async getLive(tx: Store, account: Account, keyId: string, ctx: ManagementContext): Promise<Credential> {
    const credential = ctx.environment === null ? await tx.credentials.findById(keyId) : await tx.credentials.findInScope(account.id, ctx.environment, keyId);
    if (credential === undefined || credential.accountId !== account.id) throw notFound('API key', keyId, 'keyId');
    if (credential.deletedAt !== null) {
      throw new TesseraError('key_deleted', `API key ${keyId} was deleted and can't be changed. Create a new key instead.`, { param: 'keyId' });
    }
    return credential;
  }

  private validateTokenLifetime(kind: CredentialKind, seconds: number | undefined): number | null {
    if (seconds === undefined) return null;
    if (kind !== 'client') throw new TesseraError('invalid_field', '`tokenLifetimeSeconds` only applies to client credentials.', { param: 'tokenLifetimeSeconds' });
    if (!Number.isInteger(seconds) || seconds < 60 || seconds > this.limits.maxTokenLifetimeSeconds) {
      throw new TesseraError('invalid_field', `\`tokenLifetimeSeconds\` must be from 60 to ${this.limits.maxTokenLifetimeSeconds} (the operator's maximum).`, { param: 'tokenLifetimeSeconds' });
    }
    return seconds;
  }

  private refuseEscalation(ctx: ManagementContext, target: { kind: CredentialKind; permissions: readonly string[] }): void {
    if (ctx.principal === null) return;
    const decision = decideIssuance(ctx.principal, target);
    if (!decision.allowed) throw new TesseraError(decision.code, decision.reason);
  }

  private resolveEnvironment(requested: Environment | undefined, ctx: ManagementContext): Environment {
    if (ctx.environment === null) return requested ?? 'sandbox';
    if (requested !== undefined && requested !== ctx.environment) {
      throw new TesseraError(
        'environment_mismatch',
        `A ${ctx.environment} credential can only create ${ctx.environment} keys. Use a ${requested} credential to create ${requested} keys.`,
        { param: 'environment' },
      );
    }
    return ctx.environment;
  }

  private validatePermissions(kind: CredentialKind, permissions: string[], account: Account): string[] {
    if (!kindTakesPermissions(kind)) {
      if (permissions.length > 0) {
        throw new TesseraError('invalid_field', `\`permissions\` only applies to restricted keys and client credentials; a ${kind} key's permissions are fixed by its kind.`, { param: 'permissions' });
      }
      return [];
    }
    if (permissions.length === 0) {
      throw new TesseraError('missing_field', `A ${kind === 'client' ? 'client credential' : 'restricted key'} needs at least one operation in \`permissions\`. GET /v1/operations lists them.`, { param: 'permissions' });
    }
    const { unknown, forbidden } = validatePermissionNames(permissions, account.type);
    if (unknown.length > 0) {
      const valid = listOperations().map((op) => op.name).join(', ');
      throw new TesseraError('unknown_operation', `Unknown operation${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in \`permissions\`. Valid operations: ${valid}.`, { param: 'permissions' });
    }
    if (forbidden.length > 0) {
      const why = forbidden.every((name) => name.startsWith('members.'))
        ? 'can not be granted to a key: owners manage members in the dashboard (and the operator with its secret keys)'
        : "can only be granted to the operator's keys";
      throw new TesseraError('invalid_field', `${forbidden.join(', ')} ${why}.`, { param: 'permissions' });
    }
    return [...new Set(permissions)];
  }

  private auditEvent(action: string, credential: Credential, ctx: ManagementContext, now: number, details: Record<string, unknown>): AuditEvent {
    return auditEvent(ctx, { accountId: credential.accountId, environment: credential.environment, action, targetType: 'key', targetId: credential.id, details }, now);
  }
}
