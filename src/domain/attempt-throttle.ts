/**
 * Sign-in throttling: at most `limit` attempts per key (an IP, an email) in a
 * sliding window. A small log of timestamps per key, bounded in the number of
 * keys it remembers (the oldest are forgotten first), one node's memory.
 */
export class AttemptThrottle {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds until one more attempt is allowed, or 0 when it is allowed now. Records nothing. */
  retryAfterSeconds(key: string): number {
    const log = this.prune(key);
    if (log === undefined || log.length < this.limit) return 0;
    return Math.max(1, Math.ceil((log[log.length - this.limit]! + this.windowMs - this.now()) / 1000));
  }

  record(key: string): void {
    const log = this.prune(key);
    if (log !== undefined) {
      log.push(this.now());
      return;
    }
    if (this.attempts.size >= this.maxKeys) this.attempts.delete(this.attempts.keys().next().value!);
    this.attempts.set(key, [this.now()]);
  }

  forget(key: string): void {
    this.attempts.delete(key);
  }

  private prune(key: string): number[] | undefined {
    const log = this.attempts.get(key);
    if (log === undefined) return undefined;
    const horizon = this.now() - this.windowMs;
    let drop = 0;
    while (drop < log.length && log[drop]! <= horizon) drop++;
    if (drop > 0) log.splice(0, drop);
    if (log.length === 0) {
      this.attempts.delete(key);
      return undefined;
    }
    return log;
  }
}
