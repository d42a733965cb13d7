import { sql, type Kysely } from 'kysely';

/**
 * The reference payments API: checkout sessions, card tokens, payments,
 * payment requests, refunds, balances, deposits, cashouts, and the hosted
 * page's publishable keys. The database itself refuses a negative balance or
 * a refund total above the amount (CHECK constraints), behind the
 * conditional updates that keep them from being attempted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('checkout_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('success_url', 'text')
    .addColumn('cancel_url', 'text')
    .addColumn('error_url', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payment_request_id', 'text')
    .addColumn('payment_id', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('checkout_sessions_amount_positive', sql`amount > 0`)
    .execute();
  await db.schema.createIndex('checkout_sessions_account_env_time').on('checkout_sessions').columns(['account_id', 'environment', 'created_at']).execute();
  await db.schema.createIndex('checkout_sessions_status_expiry').on('checkout_sessions').columns(['status', 'expires_at']).execute();

  await db.schema
    .createTable('card_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('card_sealed', 'text')
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  // The sweep that erases the cards of expired tokens looks only at tokens still holding one.
  await db.schema.createIndex('card_tokens_sealed_expiry').on('card_tokens').column('expires_at').where(sql.ref('card_sealed'), 'is not', null).execute();

  await db.schema
    .createTable('payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('card_brand', 'text', (c) => c.notNull())
    .addColumn('card_last4', 'text', (c) => c.notNull())
    .addColumn('token_id', 'text', (c) => c.notNull())
    .addColumn('processor', 'text', (c) => c.notNull())
    .addColumn('processor_reference', 'text', (c) => c.notNull())
    .addColumn('checkout_session_id', 'text')
    .addColumn('payment_request_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payments_checkout_session').on('payments').column('checkout_session_id').execute();
  await db.schema.createIndex('payments_payment_request').on('payments').column('payment_request_id').execute();

  await db.schema
    .createTable('payment_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount_refunded', 'bigint', (c) => c.notNull())
    .addColumn('payment_id', 'text')
    .addColumn('checkout_session_id', 'text')
    .addColumn('card_brand', 'text')
    .addColumn('card_last4', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('payment_requests_amount_positive', sql`amount > 0`)
    .addCheckConstraint('payment_requests_refunds_within_amount', sql`amount_refunded >= 0 and amount_refunded <= amount`)
    .execute();
  await db.schema.createIndex('payment_requests_account_env_time').on('payment_requests').columns(['account_id', 'environment', 'created_at']).execute();

  await db.schema
    .createTable('refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('payment_request_id', 'text', (c) => c.notNull().references('payment_requests.id'))
    .addColumn('payment_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('processor_reference', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('refunds_amount_positive', sql`amount > 0`)
    .execute();
  await db.schema.createIndex('refunds_payment_request').on('refunds').column('payment_request_id').execute();

  await db.schema
    .createTable('balances')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('available', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('balances_pk', ['account_id', 'environment', 'currency'])
    .addCheckConstraint('balances_available_nonnegative', sql`available >= 0`)
    .execute();

  await db.schema
    .createTable('deposits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('approved_at', 'bigint')
    .addCheckConstraint('deposits_amount_positive', sql`amount > 0`)
    .execute();
  await db.schema.createIndex('deposits_account_env_time').on('deposits').columns(['account_id', 'environment', 'created_at']).execute();

  await db.schema
    .createTable('cashouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('beneficiary_name', 'text', (c) => c.notNull())
    .addColumn('beneficiary_account_last4', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('processor', 'text', (c) => c.notNull())
    .addColumn('processor_reference', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('cashouts_amount_positive', sql`amount > 0`)
    .execute();
  await db.schema.createIndex('cashouts_account_env_time').on('cashouts').columns(['account_id', 'environment', 'created_at']).execute();

  await db.schema
    .createTable('checkout_page_keys')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('checkout_page_keys_pk', ['account_id', 'environment'])
    .execute();
}
