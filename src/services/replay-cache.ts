import type { ReplayGuard } from '../domain/signatures/http-message-signature.js';

/**
 * Signatures seen inside their tolerance window, in this process's memory.
 * Bounded: past `capacity` the oldest entries go first, and those are the
 * closest to leaving the window anyway.
 */
export class MemoryReplayCache implements ReplayGuard {
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly capacity: number,
    private readonly nowSeconds: () => number,
  ) {}

  seenBefore(signature: string, forgetAfter: number): boolean {
    const until = this.seen.get(signature);
    if (until !== undefined && until >= this.nowSeconds()) return true;
    if (this.seen.size >= this.capacity) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    this.seen.set(signature, forgetAfter);
    return false;
  }

  /** Drops expired entries every `intervalMs`. */
  startSweeping(intervalMs: number): void {
    this.timer = setInterval(() => {
      const now = this.nowSeconds();
      for (const [signature, until] of this.seen) if (until < now) this.seen.delete(signature);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }
}
