import type { Kysely, Selectable } from 'kysely';
import type { CardBrand } from '../domain/card.js';
import type { Environment } from '../domain/environment.js';
import type { CardToken } from '../domain/payments.js';
import type { CardTokensTable } from './payments-schema.js';
import type { Database } from './schema.js';

function toToken(row: Selectable<CardTokensTable>): CardToken {
  return { id: row.id, accountId: row.account_id, environment: row.environment, brand: row.brand as CardBrand, last4: row.last4, createdAt: row.created_at, expiresAt: row.expires_at, usedAt: row.used_at };
}

export class CardTokensRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(token: CardToken, cardSealed: string): Promise<void> {
    await this.db
      .insertInto('card_tokens')
      .values({ id: token.id, account_id: token.accountId, environment: token.environment, card_sealed: cardSealed, brand: token.brand, last4: token.last4, created_at: token.createdAt, expires_at: token.expiresAt, used_at: null })
      .execute();
  }

  async findInScope(accountId: string, environment: Environment, id: string): Promise<{ token: CardToken; cardSealed: string | null } | undefined> {
    const row = await this.db.selectFrom('card_tokens').selectAll().where('id', '=', id).where('account_id', '=', accountId).where('environment', '=', environment).executeTakeFirst();
    return row === undefined ? undefined : { token: toToken(row), cardSealed: row.card_sealed };
  }

  /**
   * Marks the token used and forgets the card, only if it was unused and
   * unexpired: of concurrent uses exactly one gets true.
   */
  async consume(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('card_tokens')
      .set({ used_at: now, card_sealed: null })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Expired tokens keep their brand and last 4 only. */
  async forgetExpiredCards(now: number): Promise<number> {
    const result = await this.db.updateTable('card_tokens').set({ card_sealed: null }).where('expires_at', '<=', now).where('card_sealed', 'is not', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
