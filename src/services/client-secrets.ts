import { CLIENT_SECRET_DEFAULT_TTL_SECONDS, CLIENT_SECRET_MAX_TTL_SECONDS, type ClientSecret } from '../domain/client-secret.js';
import { secretDigest } from '../domain/digest.js';
import { notFound, TesseraError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { generateSecret } from '../domain/key-format.js';
import type { BoundObject, Principal } from '../domain/principal.js';
import type { Store } from '../storage/store.js';

export interface MintedClientSecret {
  clientSecret: ClientSecret;
  secret: string;
}

/**
 * Mints client secrets and answers whether one still works: not expired,
 * its object still open (a completed or expired session or request ends it),
 * stored as a digest like every secret.
 */
export class ClientSecretService {
  constructor(
    private readonly store: Store,
    private readonly brand: string,
    private readonly now: () => number,
  ) {}

  async mint(principal: Principal, object: BoundObject, ttlSeconds: number = CLIENT_SECRET_DEFAULT_TTL_SECONDS): Promise<MintedClientSecret> {
    if (principal.kind !== 'secret' && principal.kind !== 'restricted') {
      throw new TesseraError('permission_denied', "Client secrets are minted by your server with a secret key (or a restricted key naming client_secrets.create), never from a browser's key.");
    }
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > CLIENT_SECRET_MAX_TTL_SECONDS) {
      throw new TesseraError('invalid_field', `\`ttlSeconds\` must be from 60 to ${CLIENT_SECRET_MAX_TTL_SECONDS} (one hour).`, { param: 'ttlSeconds' });
    }
    if (!(await this.isOpen(principal.accountId, principal.environment, object))) {
      const what = object.type === 'checkout_session' ? 'checkout session' : 'payment request';
      const exists = await this.exists(principal.accountId, principal.environment, object);
      if (!exists) throw notFound(what, object.id, 'objectId');
      throw new TesseraError('invalid_field', `The ${what} ${object.id} is no longer awaiting payment: a client secret is only for an open one.`, { param: 'objectId' });
    }
    const now = this.now();
    const secret = generateSecret(this.brand, 'client_secret', principal.environment);
    const clientSecret: ClientSecret = {
      id: newId('clientSecret'),
      accountId: principal.accountId,
      environment: principal.environment,
      object,
      mintedBy: principal.credentialId,
      expiresAt: now + ttlSeconds * 1000,
      createdAt: now,
    };
    await this.store.clientSecrets.insert(clientSecret, secretDigest(secret));
    return { clientSecret, secret };
  }

  async find(digest: string): Promise<ClientSecret | undefined> {
    return this.store.clientSecrets.findByDigest(digest);
  }

  /** Still awaiting payment: a completed, failed or expired object ends its client secrets. */
  async isOpen(accountId: string, environment: ClientSecret['environment'], object: BoundObject): Promise<boolean> {
    const now = this.now();
    if (object.type === 'checkout_session') {
      const session = await this.store.checkoutSessions.findInScope(accountId, environment, object.id);
      return session !== undefined && session.status === 'pending' && session.expiresAt > now;
    }
    const request = await this.store.paymentRequests.findInScope(accountId, environment, object.id);
    return request !== undefined && request.status === 'pending' && (request.expiresAt === null || request.expiresAt > now);
  }

  private async exists(accountId: string, environment: ClientSecret['environment'], object: BoundObject): Promise<boolean> {
    return object.type === 'checkout_session'
      ? (await this.store.checkoutSessions.findInScope(accountId, environment, object.id)) !== undefined
      : (await this.store.paymentRequests.findInScope(accountId, environment, object.id)) !== undefined;
  }
}
