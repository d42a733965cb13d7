import type { Static } from 'typebox';
import type { CardToken } from '../domain/payments.js';
import type { CardTokenView as CardTokenViewSchema } from '../http/schemas/card-token.js';

export type CardTokenView = Static<typeof CardTokenViewSchema>;

/** Brand and last 4: nothing else of the card ever leaves Tessera. */
export function cardTokenView(token: CardToken): CardTokenView {
  return {
    id: token.id,
    object: 'card_token',
    environment: token.environment,
    card: { brand: token.brand, last4: token.last4 },
    used: token.usedAt !== null,
    createdAt: new Date(token.createdAt).toISOString(),
    expiresAt: new Date(token.expiresAt).toISOString(),
  };
}
