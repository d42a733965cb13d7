import type { Store } from '../../storage/store.js';

/** Change-feed ids of revoked tokens are `jti:<jti>`. */
export const REVOKED_TOKEN_PREFIX = 'jti:';

/**
 * Revoked access token ids, in memory on every node, each kept until the
 * token would have expired anyway (RFC 7009). Filled from the database at
 * start and from the change feed afterwards.
 */
export class TokenRevocations {
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    /** Tells the other servers on this data folder to read the change feed now, as a key change does. */
    private readonly announce: () => Promise<unknown> = async () => {},
  ) {}

  async load(): Promise<void> {
    for (const { jti, expiresAt } of await this.store.oauthRevocations.listUnexpired(this.now())) this.revoked.set(jti, expiresAt);
  }

  isRevoked(jti: string): boolean {
    return this.revoked.size !== 0 && this.revoked.has(jti);
  }

  /** Another process revoked it: the change feed brings the id, the database its expiry. */
  async learn(jti: string): Promise<void> {
    this.revoked.set(jti, Number.MAX_SAFE_INTEGER);
    await this.load();
  }

  async revoke(jti: string, credentialId: string, expiresAt: number): Promise<void> {
    this.revoked.set(jti, expiresAt);
    await this.store.transaction(async (tx) => {
      await tx.oauthRevocations.insert(jti, credentialId, expiresAt, this.now());
      await tx.credentialChanges.record(`${REVOKED_TOKEN_PREFIX}${jti}`, this.now());
    });
    // Without it a server sharing the data folder would only notice at its next poll: the token must die on its next request.
    await this.announce();
  }

  prune(): void {
    const now = this.now();
    for (const [jti, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(jti);
  }
}
