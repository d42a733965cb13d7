export interface RateLimit {
  requests: number;
  windowSeconds: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface WindowState {
  windowStart: number;
  current: number;
  previous: number;
}

const ALLOWED: RateDecision = { allowed: true };

/**
 * Sliding-window counter per credential: the previous window's count, weighted
 * by how much of it still overlaps the sliding window, plus the current count.
 * O(1) memory per key and no timers. One node's memory: a shared store
 * replaces it when Redis is configured.
 */
export class SlidingWindowRateLimiter {
  private readonly windows = new Map<string, WindowState>();

  constructor(private readonly now: () => number = Date.now) {}

  hit(id: string, limit: RateLimit): RateDecision {
    const windowMs = limit.windowSeconds * 1000;
    const now = this.now();
    const windowStart = now - (now % windowMs);
    let state = this.windows.get(id);
    if (state === undefined) {
      state = { windowStart, current: 0, previous: 0 };
      this.windows.set(id, state);
    } else if (state.windowStart !== windowStart) {
      state.previous = windowStart - state.windowStart === windowMs ? state.current : 0;
      state.current = 0;
      state.windowStart = windowStart;
    }
    const overlap = 1 - (now - windowStart) / windowMs;
    const estimated = state.previous * overlap + state.current;
    if (estimated + 1 > limit.requests) {
      // Time until the weighted count drops below the limit, at least 1 s.
      const excess = estimated + 1 - limit.requests;
      // When the current window alone is full, its end is not enough: its count
      // then weighs in fully and only fades as the next window slides on.
      const waitMs = state.previous > 0 && state.current < limit.requests
        ? (excess / state.previous) * windowMs
        : windowMs - (now - windowStart) + windowMs * (1 - (limit.requests - 1) / state.current);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    state.current++;
    return ALLOWED;
  }

  forget(id: string): void {
    this.windows.delete(id);
  }
}
