import type { MasterKeyring } from '../crypto/master-key.js';
import { parseCard, type CardData, type CardInput } from '../domain/card.js';
import type { Environment } from '../domain/environment.js';
import { notFound, TesseraError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { CARD_TOKEN_TTL_MS, type CardToken } from '../domain/payments.js';
import type { Store } from '../storage/store.js';
import type { Unsealer } from './auth-entry.js';

/** Whose object it is: an account in one environment (a principal fits). */
export interface PaymentScope {
  accountId: string;
  environment: Environment;
}

/** Binds a sealed card to its token, so a ciphertext can't be moved to another row. */
export function cardTokenAad(tokenId: string): string {
  return `card_token:${tokenId}`;
}

/**
 * Ozura's vault: card data in, a single-use token out. The number and expiry
 * are sealed under the master key; the CVC is checked for shape and dropped,
 * never stored. Nothing but the brand and last 4 ever leaves: the card is
 * unsealed only to hand it to the processor, and forgotten once the token is
 * used or expires.
 */
export class CardVault {
  constructor(
    private readonly store: Store,
    private readonly keyring: MasterKeyring,
    private readonly unseal: Unsealer,
    private readonly now: () => number,
  ) {}

  async tokenize(scope: PaymentScope, input: CardInput): Promise<CardToken> {
    const now = this.now();
    const { card, brand, last4 } = parseCard(input, now);
    const token: CardToken = { id: newId('cardToken'), accountId: scope.accountId, environment: scope.environment, brand, last4, createdAt: now, expiresAt: now + CARD_TOKEN_TTL_MS, usedAt: null };
    await this.store.cardTokens.insert(token, this.keyring.seal(JSON.stringify(card), cardTokenAad(token.id)));
    return token;
  }

  /**
   * Uses a token inside the caller's transaction: of concurrent uses exactly
   * one gets the card. Errors name `param`, the field that carried the token id.
   */
  async consume(tx: Store, scope: PaymentScope, tokenId: string, param: string): Promise<{ token: CardToken; card: CardData }> {
    const now = this.now();
    const found = await tx.cardTokens.findInScope(scope.accountId, scope.environment, tokenId);
    if (found === undefined) throw notFound('card token', tokenId, param);
    const { token, cardSealed } = found;
    if (token.usedAt !== null) throw usedError(param);
    if (token.expiresAt <= now || cardSealed === null) throw new TesseraError('card_token_expired', 'This card token expired (tokens last 15 minutes). Tokenize the card again.', { param });
    const card = JSON.parse(this.unseal(cardSealed, cardTokenAad(token.id)).toString('utf8')) as CardData;
    if (!(await tx.cardTokens.consume(token.id, now))) throw usedError(param);
    return { token: { ...token, usedAt: now }, card };
  }

  /** Housekeeping: expired, unused tokens keep their brand and last 4 only. */
  async forgetExpired(): Promise<number> {
    return this.store.cardTokens.forgetExpiredCards(this.now());
  }
}

function usedError(param: string): TesseraError {
  return new TesseraError('card_token_used', 'This card token was already used: a token pays once. Tokenize the card again.', { param });
}
