import { equalsInConstantTime } from '../crypto/constant-time.js';

/**
 * The key a keep-alive connection authenticated with last, and its cached
 * credential. A client sends the same key on every request of a connection;
 * matching it here, in constant time, skips hashing it and the cache look-up,
 * which on a loaded server cost about 3 µs a request (docs/authentication.md):
 * more than all the checks that follow, and those still run on every request.
 *
 * It holds for one generation of the credential cache only: any invalidation
 * (a key disabled, rolled or deleted, here or on another node) sends the next
 * request back through the digest. It keeps the secret in memory while the
 * connection lives, as the request that carried it did; never in a log or
 * the database.
 */
export class RecentCredential<Entry> {
  #secret = '';
  #entry: Entry | null = null;
  #generation = -1;

  /** The remembered entry, if `secret` is the remembered key and the cache is still at the generation it came from. */
  match(secret: string, generation: number): Entry | null {
    if (this.#entry === null || this.#generation !== generation) return null;
    return equalsInConstantTime(this.#secret, secret) ? this.#entry : null;
  }

  remember(secret: string, entry: Entry, generation: number): void {
    this.#secret = secret;
    this.#entry = entry;
    this.#generation = generation;
  }
}
