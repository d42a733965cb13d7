import type { Kysely } from 'kysely';

/** IP allowlists, request signing and browser origins. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('credentials').addColumn('allowed_ips', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('credentials').addColumn('signing_algorithm', 'text').execute();
  await db.schema.alterTable('credentials').addColumn('signing_scheme', 'text').execute();
  // AES-256-GCM under the master key; the server must reuse an HMAC secret, so it can't be a digest.
  await db.schema.alterTable('credentials').addColumn('signing_secret_sealed', 'text').execute();
  await db.schema.alterTable('credentials').addColumn('signing_public_key', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('allowed_origins', 'text', (c) => c.notNull().defaultTo('[]')).execute();
}
