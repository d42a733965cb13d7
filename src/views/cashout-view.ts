import type { Static } from 'typebox';
import type { Environment } from '../domain/environment.js';
import type { BalanceEntry, Cashout, Deposit } from '../domain/payments.js';
import type { BalanceView as BalanceViewSchema, CashoutView as CashoutViewSchema, DepositView as DepositViewSchema } from '../http/schemas/cashout.js';
import { isoOrNull } from './time.js';

export type CashoutView = Static<typeof CashoutViewSchema>;
export type DepositView = Static<typeof DepositViewSchema>;
export type BalanceView = Static<typeof BalanceViewSchema>;

export function cashoutView(cashout: Cashout): CashoutView {
  return {
    id: cashout.id,
    object: 'cashout',
    environment: cashout.environment,
    amount: cashout.amount,
    currency: cashout.currency,
    description: cashout.description,
    metadata: cashout.metadata,
    beneficiary: { name: cashout.beneficiaryName, accountLast4: cashout.beneficiaryAccountLast4 },
    status: cashout.status,
    failure: cashout.failureCode === null ? null : { code: cashout.failureCode, message: cashout.failureMessage ?? '' },
    createdAt: new Date(cashout.createdAt).toISOString(),
  };
}

export function depositView(deposit: Deposit): DepositView {
  return {
    id: deposit.id,
    object: 'deposit',
    environment: deposit.environment,
    amount: deposit.amount,
    currency: deposit.currency,
    status: deposit.status,
    createdAt: new Date(deposit.createdAt).toISOString(),
    approvedAt: isoOrNull(deposit.approvedAt),
  };
}

export function balanceView(environment: Environment, entries: readonly BalanceEntry[]): BalanceView {
  return { object: 'balance', environment, available: entries.map((e) => ({ currency: e.currency, amount: e.available })) };
}
