import type { Credential } from '../domain/credential.js';
import type { Store } from '../storage/store.js';
import type { UsageOutcome } from '../storage/credential-usage-repository.js';

const HOUR_MS = 3_600_000;

export interface UsageBucket {
  /** Start of the hour, epoch ms. */
  hour: number;
  counts: Record<UsageOutcome, number>;
}

/**
 * Requests per hour by outcome for one key, from the counts the
 * authenticator keeps in memory and the usage recorder writes in batches
 * (so the current hour lags by up to TESSERA_USAGE_FLUSH_MS).
 */
export class KeyUsageService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async hourly(credential: Credential, hours: number): Promise<UsageBucket[]> {
    const now = this.now();
    const first = now - (now % HOUR_MS) - (hours - 1) * HOUR_MS;
    const rows = await this.store.credentialUsage.list(credential.id, credential.environment, first);
    const buckets: UsageBucket[] = [];
    for (let i = 0; i < hours; i++) buckets.push({ hour: first + i * HOUR_MS, counts: { ok: 0, '401': 0, '403': 0, '429': 0 } });
    for (const row of rows) {
      const bucket = buckets[Math.floor((row.hour - first) / HOUR_MS)];
      if (bucket !== undefined) bucket.counts[row.outcome] += row.count;
    }
    return buckets;
  }

  async prune(): Promise<void> {
    await this.store.credentialUsage.pruneBefore(this.now() - 8 * 24 * HOUR_MS);
  }
}
