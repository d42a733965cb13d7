import type { Kysely, Selectable } from 'kysely';
import type { User } from '../domain/user.js';
import type { Database, UsersTable } from './schema.js';

function toUser(row: Selectable<UsersTable>): User {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.created_at, disabledAt: row.disabled_at };
}

export class UsersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** False when a user with that email already exists (a concurrent sign-up won). */
  async insert(user: User, passwordHash: string): Promise<boolean> {
    const result = await this.db
      .insertInto('users')
      .values({ id: user.id, email: user.email, name: user.name, password_hash: passwordHash, created_at: user.createdAt, disabled_at: user.disabledAt })
      .onConflict((oc) => oc.column('email').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toUser(row);
  }

  /** The user and their password hash, for sign-in. */
  async findByEmail(email: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row === undefined ? undefined : { user: toUser(row), passwordHash: row.password_hash };
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toUser);
  }

  async listByIds(ids: readonly string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
    return rows.map(toUser);
  }
}
