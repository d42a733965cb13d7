import type { MasterKeyring } from '../crypto/master-key.js';
import type { Environment } from '../domain/environment.js';
import type { Store } from '../storage/store.js';
import type { AccountService } from './account-service.js';
import type { Unsealer } from './auth-entry.js';
import type { KeyService } from './key-service.js';
import type { ManagementContext } from './management-context.js';

const SYSTEM: ManagementContext = {
  actor: { type: 'system', id: 'hosted-checkout', credentialId: null, ip: null, requestId: null },
  environment: null,
  principal: null,
};

export const CHECKOUT_PAGE_KEY_NAME = 'Hosted checkout (managed by Tessera)';

export function checkoutPageKeyAad(accountId: string, environment: Environment): string {
  return `checkout_page_key:${accountId}:${environment}`;
}

/**
 * The hosted checkout page sends card data to POST /v1/tokens with one of the
 * account's publishable keys, so the page must know one. Tessera keeps its
 * own: an ordinary publishable key per account and environment, created
 * (and audited) the first time it is needed, listed with the account's other
 * keys, its secret sealed under the master key because the page must show it.
 * If the account deletes it, the next session or page gets a new one; if the
 * account disables it, the page can't take cards until it is enabled again.
 */
export class CheckoutPageKeys {
  constructor(
    private readonly store: Store,
    private readonly keyring: MasterKeyring,
    private readonly unseal: Unsealer,
    private readonly keys: KeyService,
    private readonly accounts: AccountService,
  ) {}

  /** The publishable key's secret, minting one if the account has none (or deleted it). */
  async secretFor(accountId: string, environment: Environment): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.store.checkoutPageKeys.find(accountId, environment);
      if (stored !== undefined) {
        const credential = await this.store.credentials.findById(stored.credentialId);
        if (credential !== undefined && credential.deletedAt === null) return this.unseal(stored.secretSealed, checkoutPageKeyAad(accountId, environment)).toString('utf8');
      }
      const account = await this.accounts.require(accountId);
      const issued = await this.keys.create(account, { kind: 'publishable', environment, name: CHECKOUT_PAGE_KEY_NAME, metadata: { managedBy: 'tessera-hosted-checkout' } }, SYSTEM);
      const record = { accountId, environment, credentialId: issued.credential.id, secretSealed: this.keyring.seal(issued.secret, checkoutPageKeyAad(accountId, environment)) };
      const now = issued.credential.createdAt;
      const saved = stored === undefined ? await this.store.checkoutPageKeys.insert(record, now) : await this.store.checkoutPageKeys.replace(record, stored.credentialId, now);
      if (saved) return issued.secret;
      // Another request stored a key first: ours is surplus.
      await this.keys.delete(account, issued.credential.id, SYSTEM);
    }
    throw new Error(`could not settle the hosted checkout key of ${accountId} (${environment})`);
  }
}
