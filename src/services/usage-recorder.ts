import type { UsageSample } from '../storage/credentials-repository.js';

interface LastUse {
  at: number;
  ip: string;
}

/**
 * Last-used time and IP per credential, kept in memory and written in one
 * batch every few seconds: authentication never waits on a database write.
 */
export class UsageRecorder {
  private pending = new Map<string, LastUse>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly write: (samples: UsageSample[]) => Promise<void>) {}

  recordUse(credentialId: string, ip: string, at: number): void {
    const entry = this.pending.get(credentialId);
    if (entry === undefined) this.pending.set(credentialId, { at, ip });
    else if (at >= entry.at) {
      entry.at = at;
      entry.ip = ip;
    }
  }

  start(intervalMs: number, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => {
      this.flush().catch(onError);
    }, intervalMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    while (this.running !== null) await this.running;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.running = this.write([...batch].map(([credentialId, use]) => ({ credentialId, at: use.at, ip: use.ip })))
      .catch((error: unknown) => {
        // Keep the samples for the next flush rather than lose them.
        for (const [id, use] of batch) this.recordUse(id, use.ip, use.at);
        throw error;
      })
      .finally(() => {
        this.running = null;
      });
    await this.running;
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
