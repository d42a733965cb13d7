import { notFound, TesseraError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { formatAmount, parseMoney } from '../domain/money.js';
import type { BalanceEntry, Cashout, Deposit } from '../domain/payments.js';
import type { Store } from '../storage/store.js';
import { cashoutView } from '../views/cashout-view.js';
import type { PaymentScope } from './card-vault.js';
import type { Processors } from './charge.js';
import { recordEvent } from './events.js';
import { paginate, type ListOptions, type Page } from './pagination.js';

export interface CreateCashoutInput {
  amount: number;
  currency: string;
  beneficiary: { name: string; accountNumber: string };
  description?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

/**
 * OneKey's cashouts: pay out from a balance per account, environment and
 * currency. Every balance change is a conditional update inside the
 * transaction that records why, so concurrent cashouts can never take the
 * balance below zero. In sandbox (OneKey's STG), deposits created and
 * approved through the API add funds; everywhere, successful payments do.
 */
export class CashoutService {
  constructor(
    private readonly store: Store,
    private readonly processors: Processors,
    private readonly settings: { maxAmount: number },
    private readonly now: () => number,
  ) {}

  async balance(scope: PaymentScope): Promise<BalanceEntry[]> {
    return this.store.balances.list(scope.accountId, scope.environment);
  }

  async create(scope: PaymentScope, input: CreateCashoutInput): Promise<Cashout> {
    const money = parseMoney(input, this.settings.maxAmount);
    const processor = this.processors[scope.environment];
    return this.store.transaction(async (tx) => {
      const now = this.now();
      if (!(await tx.balances.debit(scope.accountId, scope.environment, money.currency, money.amount, now))) {
        const available = (await tx.balances.list(scope.accountId, scope.environment)).find((b) => b.currency === money.currency)?.available ?? 0;
        const hint = scope.environment === 'sandbox' ? ' In sandbox, create and approve a deposit (POST /v1/deposits, then POST /v1/deposits/{id}/approve) to add funds.' : '';
        throw new TesseraError(
          'insufficient_funds',
          `Insufficient Funds: this cashout of ${formatAmount(money.amount, money.currency)} ${money.currency} exceeds the available balance of ${formatAmount(available, money.currency)} ${money.currency}.${hint}`,
          { param: 'amount' },
        );
      }
      const id = newId('cashout');
      const outcome = await processor.payout({ environment: scope.environment, reference: id, amount: money.amount, currency: money.currency, beneficiary: input.beneficiary });
      // A payout the bank refused gives the money back, in the same transaction.
      if (outcome.status === 'failed') await tx.balances.credit(scope.accountId, scope.environment, money.currency, money.amount, now);
      const cashout: Cashout = {
        id,
        accountId: scope.accountId,
        environment: scope.environment,
        ...money,
        description: input.description ?? null,
        metadata: input.metadata ?? {},
        beneficiaryName: input.beneficiary.name,
        beneficiaryAccountLast4: input.beneficiary.accountNumber.slice(-4),
        status: outcome.status,
        failureCode: outcome.status === 'failed' ? outcome.code : null,
        failureMessage: outcome.status === 'failed' ? outcome.message : null,
        processor: processor.name,
        processorReference: outcome.reference,
        createdAt: now,
      };
      await tx.cashouts.insert(cashout);
      const type = cashout.status === 'paid' ? 'cashout.paid' : 'cashout.failed';
      await recordEvent(tx, { accountId: cashout.accountId, environment: cashout.environment, type, data: { object: cashoutView(cashout) } }, now);
      return cashout;
    });
  }

  async get(scope: PaymentScope, id: string): Promise<Cashout> {
    const cashout = await this.store.cashouts.findInScope(scope.accountId, scope.environment, id);
    if (cashout === undefined) throw notFound('cashout', id, 'cashoutId');
    return cashout;
  }

  async list(scope: PaymentScope, options: ListOptions): Promise<Page<Cashout>> {
    const repo = this.store.cashouts;
    return paginate(options, (page) => repo.list(scope.accountId, scope.environment, page));
  }

  async createDeposit(scope: PaymentScope, input: { amount: number; currency: string }): Promise<Deposit> {
    sandboxOnly(scope);
    const money = parseMoney(input, this.settings.maxAmount);
    const deposit: Deposit = { id: newId('deposit'), accountId: scope.accountId, environment: scope.environment, ...money, status: 'pending', createdAt: this.now(), approvedAt: null };
    await this.store.deposits.insert(deposit);
    return deposit;
  }

  /** pending → approved and the balance credited, together and once. */
  async approveDeposit(scope: PaymentScope, id: string): Promise<Deposit> {
    sandboxOnly(scope);
    return this.store.transaction(async (tx) => {
      const now = this.now();
      const deposit = await tx.deposits.findInScope(scope.accountId, scope.environment, id);
      if (deposit === undefined) throw notFound('deposit', id, 'depositId');
      if (!(await tx.deposits.approve(scope.accountId, scope.environment, id, now))) {
        throw new TesseraError('deposit_not_pending', `Deposit ${id} was already approved; its funds are in the balance.`, { param: 'depositId' });
      }
      await tx.balances.credit(scope.accountId, scope.environment, deposit.currency, deposit.amount, now);
      return { ...deposit, status: 'approved', approvedAt: now };
    });
  }
}

function sandboxOnly(scope: PaymentScope): void {
  if (scope.environment !== 'sandbox') {
    throw new TesseraError('sandbox_only', 'Deposits through the API exist in sandbox only, to fund tests. In live, the balance is funded by payments.');
  }
}
