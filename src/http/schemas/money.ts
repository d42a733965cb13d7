import { Type, type TSchema } from 'typebox';
import { ENVIRONMENTS } from '../../domain/environment.js';
import { Nullable, StringEnum } from './common.js';

export const Amount = Type.Integer({
  minimum: 1,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'Integer minor units of the currency (cents for USD, yen for JPY, fils for KWD): 1050 USD is 10.50. At most TESSERA_MAX_AMOUNT.',
  example: 1050,
});

export const Currency = Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217 code, e.g. USD, EUR, JPY, KWD (any case in; upper case out).', example: 'USD' });

export const Environment = StringEnum(ENVIRONMENTS);

export const Description = Type.String({ minLength: 1, maxLength: 500, description: 'Shown to the customer on the hosted page.' });

/** Keyset pagination, newest first. */
export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'At most this many, newest first.' })),
    before: Type.Optional(Type.String({ maxLength: 200, description: 'Cursor from nextCursor of the previous page.' })),
  },
  { additionalProperties: false },
);

export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({ object: Type.Literal('list'), data: Type.Array(item), nextCursor: Nullable(Type.String({ description: 'Pass as `before` for the next (older) page.' })) });
}
