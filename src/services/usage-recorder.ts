import type { UsageSample } from '../storage/credentials-repository.js';
import type { UsageCount } from '../storage/credential-usage-repository.js';

const HOUR_MS = 3_600_000;

/**
 * One credential's unflushed usage: last use (time and IP) and the hour's
 * requests by outcome. The authenticator keeps a reference to it in the
 * cached credential, so recording a request is a few field writes, with no
 * look-up and no allocation.
 */
export class UsageSlot {
  lastAt = 0;
  lastIp = '';
  hour = 0;
  ok = 0;
  unauthorized = 0;
  forbidden = 0;
  limited = 0;
  /** Counts of hours that ended before they were flushed. */
  closed: UsageCount[] = [];
  dirty = false;

  constructor(
    readonly credentialId: string,
    private readonly recorder: UsageRecorder,
  ) {}

  /** A successful request: last used, and one more `ok`. */
  use(ip: string, at: number): void {
    if (at >= this.lastAt) {
      this.lastAt = at;
      this.lastIp = ip;
    }
    this.inHour(at);
    this.ok++;
  }

  /** A refused request, by its status; other statuses are not counted. */
  refuse(status: number, at: number): void {
    this.inHour(at);
    if (status === 401) this.unauthorized++;
    else if (status === 403) this.forbidden++;
    else if (status === 429) this.limited++;
  }

  private inHour(at: number): void {
    if (!this.dirty) this.recorder.markDirty(this);
    if (at - this.hour < HOUR_MS && at >= this.hour) return;
    this.closeHour();
    this.hour = at - (at % HOUR_MS);
  }

  closeHour(): void {
    const { credentialId, hour } = this;
    if (this.ok > 0) this.closed.push({ credentialId, hour, outcome: 'ok', count: this.ok });
    if (this.unauthorized > 0) this.closed.push({ credentialId, hour, outcome: '401', count: this.unauthorized });
    if (this.forbidden > 0) this.closed.push({ credentialId, hour, outcome: '403', count: this.forbidden });
    if (this.limited > 0) this.closed.push({ credentialId, hour, outcome: '429', count: this.limited });
    this.ok = this.unauthorized = this.forbidden = this.limited = 0;
  }
}

export type UsageWriter = (samples: UsageSample[], counts: UsageCount[]) => Promise<void>;

/**
 * Last-used time and IP per credential, and how many requests each one made
 * per hour by outcome (ok, 401, 403, 429), kept in memory and written in one
 * batch every few seconds: authentication never waits on a database write.
 */
export class UsageRecorder {
  private readonly slots = new Map<string, UsageSlot>();
  private dirty: UsageSlot[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly write: UsageWriter) {}

  /** The slot of a credential, created on first use; cached credentials hold on to it. */
  slot(credentialId: string): UsageSlot {
    let slot = this.slots.get(credentialId);
    if (slot === undefined) {
      slot = new UsageSlot(credentialId, this);
      this.slots.set(credentialId, slot);
    }
    return slot;
  }

  markDirty(slot: UsageSlot): void {
    slot.dirty = true;
    this.dirty.push(slot);
  }

  start(intervalMs: number, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => {
      this.flush().catch(onError);
    }, intervalMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    while (this.running !== null) await this.running;
    if (this.dirty.length === 0) return;
    const slots = this.dirty;
    this.dirty = [];
    const samples: UsageSample[] = [];
    const counts: UsageCount[] = [];
    for (const slot of slots) {
      slot.dirty = false;
      if (slot.lastAt > 0) samples.push({ credentialId: slot.credentialId, at: slot.lastAt, ip: slot.lastIp });
      slot.closeHour();
      counts.push(...slot.closed);
      slot.closed = [];
    }
    this.running = this.write(samples, counts)
      .catch((error: unknown) => {
        // Keep the counts for the next flush rather than lose them (last-used is kept in the slot anyway).
        for (const slot of slots) {
          slot.closed.push(...counts.filter((c) => c.credentialId === slot.credentialId));
          if (!slot.dirty) this.markDirty(slot);
        }
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
