import type { Kysely, Selectable } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { Cashout } from '../domain/payments.js';
import { newestFirst, type PageQuery } from './page-query.js';
import type { CashoutsTable } from './payments-schema.js';
import type { Database } from './schema.js';

function toCashout(row: Selectable<CashoutsTable>): Cashout {
  return {
    id: row.id,
    accountId: row.account_id,
    environment: row.environment,
    amount: row.amount,
    currency: row.currency,
    description: row.description,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    beneficiaryName: row.beneficiary_name,
    beneficiaryAccountLast4: row.beneficiary_account_last4,
    status: row.status,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    processor: row.processor,
    processorReference: row.processor_reference,
    createdAt: row.created_at,
  };
}

export class CashoutsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(cashout: Cashout): Promise<void> {
    await this.db
      .insertInto('cashouts')
      .values({
        id: cashout.id,
        account_id: cashout.accountId,
        environment: cashout.environment,
        amount: cashout.amount,
        currency: cashout.currency,
        description: cashout.description,
        metadata: JSON.stringify(cashout.metadata),
        beneficiary_name: cashout.beneficiaryName,
        beneficiary_account_last4: cashout.beneficiaryAccountLast4,
        status: cashout.status,
        failure_code: cashout.failureCode,
        failure_message: cashout.failureMessage,
        processor: cashout.processor,
        processor_reference: cashout.processorReference,
        created_at: cashout.createdAt,
      })
      .execute();
  }

  async findInScope(accountId: string, environment: Environment, id: string): Promise<Cashout | undefined> {
    const row = await this.db.selectFrom('cashouts').selectAll().where('id', '=', id).where('account_id', '=', accountId).where('environment', '=', environment).executeTakeFirst();
    return row === undefined ? undefined : toCashout(row);
  }

  async list(accountId: string, environment: Environment, page: PageQuery): Promise<Cashout[]> {
    let query = this.db.selectFrom('cashouts').selectAll().where('account_id', '=', accountId).where('environment', '=', environment);
    return (await newestFirst(query, page).execute()).map(toCashout);
  }
}
