import type { Kysely, Selectable } from 'kysely';
import type { ClientSecret } from '../domain/client-secret.js';
import type { ClientSecretsTable, Database } from './schema.js';

function toClientSecret(row: Selectable<ClientSecretsTable>): ClientSecret {
  return {
    id: row.id,
    accountId: row.account_id,
    environment: row.environment,
    object: { type: row.object_type, id: row.object_id },
    mintedBy: row.minted_by,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

export class ClientSecretsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(secret: ClientSecret, digest: string): Promise<void> {
    await this.db
      .insertInto('client_secrets')
      .values({
        digest,
        id: secret.id,
        account_id: secret.accountId,
        environment: secret.environment,
        object_type: secret.object.type,
        object_id: secret.object.id,
        minted_by: secret.mintedBy,
        expires_at: secret.expiresAt,
        created_at: secret.createdAt,
      })
      .execute();
  }

  async findByDigest(digest: string): Promise<ClientSecret | undefined> {
    const row = await this.db.selectFrom('client_secrets').selectAll().where('digest', '=', digest).executeTakeFirst();
    return row === undefined ? undefined : toClientSecret(row);
  }

  async pruneExpired(now: number): Promise<void> {
    await this.db.deleteFrom('client_secrets').where('expires_at', '<=', now).execute();
  }
}
