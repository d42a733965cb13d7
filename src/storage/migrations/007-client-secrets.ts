import type { Kysely } from 'kysely';

/** Client secrets (Ansa): stored as a digest like every secret, bound to one object. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_secrets')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('minted_by', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('client_secrets_expiry').on('client_secrets').column('expires_at').execute();
}
