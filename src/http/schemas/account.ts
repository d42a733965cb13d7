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

export const AccountView = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('account'),
    type: StringEnum(['operator', 'partner', 'merchant'] as const),
    name: Type.String(),
    parentId: Nullable(Type.String()),
    liveEnabled: Type.Boolean({ description: 'Whether the operator has opened the live environment (go-live).' }),
    createdAt: Timestamp,
  },
  { description: 'A partner, merchant or the operator.' },
);
