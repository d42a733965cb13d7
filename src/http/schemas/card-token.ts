import { Type } from 'typebox';
import { Timestamp } from './common.js';
import { Environment } from './money.js';

export const CreateCardTokenBody = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: 40, description: 'The card number; spaces and dashes are ignored. Luhn-checked.' }),
    expMonth: Type.Integer({ minimum: 1, maximum: 12 }),
    expYear: Type.Integer({ minimum: 2000, maximum: 2200, description: 'Four digits.' }),
    cvc: Type.String({ minLength: 1, maxLength: 8, description: 'Checked for shape and discarded: never stored.' }),
  },
  { additionalProperties: false },
);

export const CardTokenView = Type.Object(
  {
    id: Type.String({ description: 'tok_…: pays once, within 15 minutes.' }),
    object: Type.Literal('card_token'),
    environment: Environment,
    card: Type.Object({ brand: Type.String(), last4: Type.String() }, { description: 'All that ever leaves Tessera of the card.' }),
    used: Type.Boolean(),
    createdAt: Timestamp,
    expiresAt: Timestamp,
  },
  { description: 'A single-use card token.' },
);
