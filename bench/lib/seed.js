// Real keys (as KeyService issues them: same secret format, id format and
// digest) and bulk loaders that write them straight into the schema the
// migrations created, for SQLite and PostgreSQL.
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { secretDigest } from '../../dist/domain/digest.js';
import { newId } from '../../dist/domain/ids.js';
import { generateSecret, secretPrefix } from '../../dist/domain/key-format.js';

/**
 * `count` sandbox secret keys, made by generateSecret, newId and secretDigest
 * from dist/ as KeyService makes them. Secrets are kept (they are what a
 * client presents); ids, digests and last4 are what the database stores.
 * (Worker threads don't help: two of them ran no faster than one here.)
 */
export function generateKeys(count, { brand = 'tsr', environment = 'sandbox' } = {}) {
  const ids = new Array(count);
  const secrets = new Array(count);
  const digests = new Array(count);
  for (let i = 0; i < count; i++) {
    const secret = generateSecret(brand, 'secret', environment);
    secrets[i] = secret;
    digests[i] = secretDigest(secret);
    ids[i] = newId('key');
  }
  return { brand, environment, prefix: secretPrefix(brand, 'secret', environment), ids, secrets, digests, count };
}

function sortedIndex(values) {
  const index = Array.from({ length: values.length }, (_, i) => i);
  return index.sort((a, b) => (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0));
}

function benchAccounts(n, now) {
  return Array.from({ length: n }, (_, i) => ({ id: newId('account'), type: 'merchant', name: `Bench merchant ${i + 1}`, created_at: now }));
}

/** Loads keys into a migrated SQLite database file, in one transaction. */
export function seedSqlite(path, keys, { accounts: accountCount = 8 } = {}) {
  const now = Date.now();
  const accounts = benchAccounts(accountCount, now);
  const db = new SqliteDatabase(path);
  try {
    db.pragma('journal_mode = WAL');
    // Loader only: the server reopens the file with synchronous = FULL.
    db.pragma('synchronous = OFF');
    // Consistent by construction; the server checks foreign keys again on its own connection.
    db.pragma('foreign_keys = OFF');
    db.pragma('cache_size = -1000000');
    const insertAccount = db.prepare('INSERT INTO accounts (id, type, name, parent_id, live_enabled, created_at) VALUES (?, ?, ?, NULL, 0, ?)');
    const insertCredential = db.prepare(
      `INSERT INTO credentials (id, account_id, environment, kind, name, permissions, prefix, last4, enabled, expires_at, deleted_at,
        rate_limit_requests, rate_limit_window_seconds, metadata, created_at, updated_at, last_used_at, last_used_ip)
       VALUES (?, ?, ?, 'secret', 'Bench key', '[]', ?, ?, 1, NULL, NULL, NULL, NULL, '{}', ?, ?, NULL, NULL)`,
    );
    const insertSecret = db.prepare('INSERT INTO credential_secrets (digest, credential_id, last4, created_at, expires_at) VALUES (?, ?, ?, ?, NULL)');
    // B-tree inserts in key order append instead of splitting pages all over the file.
    const byId = sortedIndex(keys.ids);
    const byDigest = sortedIndex(keys.digests);
    db.transaction(() => {
      for (const a of accounts) insertAccount.run(a.id, a.type, a.name, a.created_at);
      for (let j = 0; j < keys.count; j++) {
        const i = byId[j];
        const createdAt = now - (keys.count - j);
        insertCredential.run(keys.ids[i], accounts[j % accounts.length].id, keys.environment, keys.prefix, keys.secrets[i].slice(-4), createdAt, createdAt);
      }
      for (let j = 0; j < keys.count; j++) {
        const i = byDigest[j];
        insertSecret.run(keys.digests[i], keys.ids[i], keys.secrets[i].slice(-4), now);
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');
  } finally {
    db.close();
  }
  return accounts;
}

/** Loads keys into a migrated PostgreSQL database with batched INSERT … SELECT FROM unnest(…). */
export async function seedPostgres(url, keys, { accounts: accountCount = 8, batch = 50_000 } = {}) {
  const now = Date.now();
  const accounts = benchAccounts(accountCount, now);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const a of accounts) await client.query('INSERT INTO accounts (id, type, name, parent_id, live_enabled, created_at) VALUES ($1, $2, $3, NULL, 0, $4)', [a.id, a.type, a.name, a.created_at]);
    for (let start = 0; start < keys.count; start += batch) {
      const end = Math.min(keys.count, start + batch);
      const ids = keys.ids.slice(start, end);
      const last4 = keys.secrets.slice(start, end).map((s) => s.slice(-4));
      const owners = ids.map((_, j) => accounts[(start + j) % accounts.length].id);
      const created = ids.map((_, j) => now - (keys.count - (start + j)));
      await client.query(
        `INSERT INTO credentials (id, account_id, environment, kind, name, permissions, prefix, last4, enabled, expires_at, deleted_at,
           rate_limit_requests, rate_limit_window_seconds, metadata, created_at, updated_at, last_used_at, last_used_ip)
         SELECT t.id, t.account_id, $5, 'secret', 'Bench key', '[]', $6, t.last4, 1, NULL, NULL, NULL, NULL, '{}', t.created_at, t.created_at, NULL, NULL
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(id, account_id, last4, created_at)`,
        [ids, owners, last4, created, keys.environment, keys.prefix],
      );
      await client.query(
        `INSERT INTO credential_secrets (digest, credential_id, last4, created_at, expires_at)
         SELECT t.digest, t.credential_id, t.last4, t.created_at, NULL
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(digest, credential_id, last4, created_at)`,
        [keys.digests.slice(start, end), ids, last4, created],
      );
    }
    await client.query('COMMIT');
    // What autovacuum would do shortly after a bulk load.
    await client.query('VACUUM ANALYZE credentials');
    await client.query('VACUUM ANALYZE credential_secrets');
    await client.query('VACUUM ANALYZE accounts');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
  return accounts;
}
