import type { MasterKeyring } from '../crypto/master-key.js';
import type { PaymentProcessor } from '../domain/processor.js';
import type { Store } from '../storage/store.js';
import type { AccountService } from './account-service.js';
import type { Unsealer } from './auth-entry.js';
import { CardVault } from './card-vault.js';
import { CashoutService } from './cashout-service.js';
import type { Processors } from './charge.js';
import { CheckoutPageKeys } from './checkout-page-keys.js';
import { CheckoutService } from './checkout-service.js';
import type { KeyService } from './key-service.js';
import { PaymentRequestService } from './payment-request-service.js';
import { SimulatedProcessor } from './simulated-processor.js';

/** The reference payments API's services, built once per server. */
export interface Payments {
  vault: CardVault;
  checkout: CheckoutService;
  paymentRequests: PaymentRequestService;
  cashouts: CashoutService;
  processors: Processors;
  /** Periodic upkeep: expire what is due, forget the cards of expired tokens. */
  housekeeping(): Promise<void>;
}

export interface PaymentsOptions {
  store: Store;
  keyring: MasterKeyring;
  unseal: Unsealer;
  keys: KeyService;
  accounts: AccountService;
  /** Largest amount, in minor units (TESSERA_MAX_AMOUNT). */
  maxAmount: number;
  publicUrl: () => string;
  /** A real processor for live; sandbox always uses the simulated one. */
  liveProcessor?: PaymentProcessor | undefined;
  now: () => number;
}

export function createPayments(options: PaymentsOptions): Payments {
  const { store, now } = options;
  const simulated = new SimulatedProcessor();
  const processors: Processors = { sandbox: simulated, live: options.liveProcessor ?? simulated };
  const vault = new CardVault(store, options.keyring, options.unseal, now);
  const charge = { vault, processors, now };
  const pageKeys = new CheckoutPageKeys(store, options.keyring, options.unseal, options.keys, options.accounts);
  const checkout = new CheckoutService(store, charge, pageKeys, { maxAmount: options.maxAmount, publicUrl: options.publicUrl }, now);
  return {
    vault,
    checkout,
    paymentRequests: new PaymentRequestService(store, charge, pageKeys, { maxAmount: options.maxAmount, checkoutUrl: (id) => checkout.checkoutUrl(id) }, now),
    cashouts: new CashoutService(store, processors, { maxAmount: options.maxAmount }, now),
    processors,
    async housekeeping() {
      await checkout.expireDue();
      await vault.forgetExpired();
    },
  };
}
