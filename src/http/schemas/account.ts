import { Type } from 'typebox';
import { Nullable, StringEnum, Timestamp } from './common.js';

export const CreateAccountBody = Type.Object(
  {
    type: StringEnum(['partner', 'merchant'] as const),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    parentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "A merchant's partner. Partners may leave it out: their sub-merchants are theirs." })),
  },
  { additionalProperties: false },
);

export const UpdateAccountBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    allowedOrigins: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50, description: 'Browser origins (https://shop.example) allowed to use this account\'s publishable keys.' }),
    ),
  },
  { additionalProperties: false },
);

export const AccountView = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('account'),
    type: StringEnum(['operator', 'partner', 'merchant'] as const),
    name: Type.String(),
    parentId: Nullable(Type.String()),
    liveEnabled: Type.Boolean({ description: 'Whether the operator has opened the live environment (go-live).' }),
    allowedOrigins: Type.Array(Type.String()),
    createdAt: Timestamp,
  },
  { description: 'A partner, merchant or the operator.' },
);
