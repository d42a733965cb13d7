import { Type } from 'typebox';
import { Metadata, Nullable, StringEnum, Timestamp } from './common.js';
import { Amount, Currency, Environment } from './money.js';

export const CashoutIdParam = Type.String({ minLength: 1, maxLength: 64, description: 'Cashout id (co_…).' });
export const DepositIdParam = Type.String({ minLength: 1, maxLength: 64, description: 'Deposit id (dep_…).' });

export const CreateCashoutBody = Type.Object(
  {
    amount: Amount,
    currency: Currency,
    beneficiary: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 140 }),
        accountNumber: Type.String({ pattern: '^[A-Za-z0-9]{4,34}$', description: 'Bank account number or IBAN, 4 to 34 letters and digits. Only its last 4 are stored.' }),
      },
      { additionalProperties: false },
    ),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);

export const CashoutView = Type.Object({
  id: Type.String(),
  object: Type.Literal('cashout'),
  environment: Environment,
  amount: Type.Integer(),
  currency: Type.String(),
  description: Nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.String()),
  beneficiary: Type.Object({ name: Type.String(), accountLast4: Type.String() }),
  status: StringEnum(['paid', 'failed'] as const),
  failure: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  createdAt: Timestamp,
});

export const CreateDepositBody = Type.Object({ amount: Amount, currency: Currency }, { additionalProperties: false });

export const DepositView = Type.Object({
  id: Type.String(),
  object: Type.Literal('deposit'),
  environment: Environment,
  amount: Type.Integer(),
  currency: Type.String(),
  status: StringEnum(['pending', 'approved'] as const),
  createdAt: Timestamp,
  approvedAt: Nullable(Timestamp),
});

export const BalanceView = Type.Object({
  object: Type.Literal('balance'),
  environment: Environment,
  available: Type.Array(Type.Object({ currency: Type.String(), amount: Type.Integer({ description: 'Minor units, never negative.' }) })),
});
