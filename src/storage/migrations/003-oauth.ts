import type { Kysely } from 'kysely';

/** OAuth 2.0: token signing keys, revoked token ids, per-credential secret versions and token lifetimes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    // Ed25519 private key (PKCS#8 DER), sealed under the master key.
    .addColumn('private_key_sealed', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // Set when a newer key replaces it: published and accepted until then, then gone.
    .addColumn('retire_at', 'bigint')
    .execute();
  await db.schema
    .createTable('oauth_revocations')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_revocations_expiry').on('oauth_revocations').column('expires_at').execute();
  await db.schema.alterTable('credentials').addColumn('secret_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('credentials').addColumn('token_lifetime_seconds', 'integer').execute();
}
