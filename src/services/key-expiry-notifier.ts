import type { Store } from '../storage/store.js';
import type { ExpiryNotice } from '../storage/key-expiry-notices-repository.js';
import { recordKeyEvent } from './events.js';

/** Keys that expired while no sweep ran for longer than this are not announced late. */
const EXPIRED_LOOKBACK_MS = 7 * 24 * 3600_000;
const BATCH = 500;

/**
 * `key.expiring_soon` once a key is within the lead time of its `expiresAt`,
 * `key.expired` once it passed it. Run periodically by every server; each
 * notice is claimed in the transaction that records its event, so however
 * many processes sweep, and however often they restart, a key is told once.
 */
export class KeyExpiryNotifier {
  constructor(
    private readonly store: Store,
    private readonly leadMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Answers how many events were recorded. */
  async sweep(): Promise<number> {
    const now = this.now();
    let recorded = 0;
    recorded += await this.notify('expiring_soon', 'key.expiring_soon', now, now + this.leadMs, now);
    recorded += await this.notify('expired', 'key.expired', now - EXPIRED_LOOKBACK_MS, now + 1, now);
    return recorded;
  }

  private async notify(kind: ExpiryNotice, type: string, from: number, to: number, now: number): Promise<number> {
    let recorded = 0;
    for (;;) {
      const due = await this.store.keyExpiryNotices.due(kind, from, to, BATCH);
      for (const key of due) {
        const told = await this.store.transaction(async (tx) => {
          if (!(await tx.keyExpiryNotices.claim(key.credentialId, kind, key.expiresAt, now))) return false;
          const credential = await tx.credentials.findById(key.credentialId);
          if (credential === undefined || credential.deletedAt !== null) return false;
          await recordKeyEvent(tx, type, credential, now);
          return true;
        });
        if (told) recorded++;
      }
      if (due.length < BATCH) return recorded;
    }
  }
}
