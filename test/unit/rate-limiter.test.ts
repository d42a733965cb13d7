import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlidingWindowRateLimiter } from '../../src/domain/rate-limiter.js';

function limiterAt(start: number) {
  const clock = { now: start };
  return { clock, limiter: new SlidingWindowRateLimiter(() => clock.now) };
}

describe('SlidingWindowRateLimiter', () => {
  const limit = { requests: 5, windowSeconds: 10 };

  it('allows N requests in a window and refuses the N+1th with Retry-After >= 1', () => {
    const { limiter } = limiterAt(1_000_000); // the very start of a window
    for (let i = 0; i < 5; i++) expect(limiter.hit('key_a', limit)).toEqual({ allowed: true });
    const refused = limiter.hit('key_a', limit);
    expect(refused.allowed).toBe(false);
    if (refused.allowed) return;
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(20);
    // Refusals do not count: still refused, still a sane Retry-After.
    const again = limiter.hit('key_a', limit);
    expect(again.allowed).toBe(false);
  });

  it('keeps credentials apart', () => {
    const { limiter } = limiterAt(1_000_000);
    for (let i = 0; i < 5; i++) limiter.hit('key_a', limit);
    expect(limiter.hit('key_a', limit).allowed).toBe(false);
    expect(limiter.hit('key_b', limit).allowed).toBe(true);
  });

  it('recovers: after two whole windows the full budget is back', () => {
    const { clock, limiter } = limiterAt(1_000_000);
    for (let i = 0; i < 5; i++) limiter.hit('key_a', limit);
    expect(limiter.hit('key_a', limit).allowed).toBe(false);
    clock.now += 20_000;
    for (let i = 0; i < 5; i++) expect(limiter.hit('key_a', limit).allowed).toBe(true);
    expect(limiter.hit('key_a', limit).allowed).toBe(false);
  });

  it('Retry-After is honest: waiting that long lets the next request through', () => {
    const { clock, limiter } = limiterAt(1_000_000 + 3_000);
    for (let i = 0; i < 5; i++) limiter.hit('key_a', limit);
    const refused = limiter.hit('key_a', limit);
    if (refused.allowed) throw new Error('expected a refusal');
    clock.now += refused.retryAfterSeconds * 1000;
    expect(limiter.hit('key_a', limit).allowed).toBe(true);
  });

  it('Retry-After is honest whatever the history (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 120 }),
        (requests, windowSeconds, start, gaps) => {
          const { clock, limiter } = limiterAt(1_000_000_000 + start);
          const rule = { requests, windowSeconds };
          for (const gap of gaps) {
            clock.now += gap;
            const decision = limiter.hit('key_a', rule);
            if (decision.allowed) continue;
            expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
            // Never more than two windows: the current one to end, the next to slide past it.
            expect(decision.retryAfterSeconds).toBeLessThanOrEqual(2 * windowSeconds + 1);
            clock.now += decision.retryAfterSeconds * 1000;
            expect(limiter.hit('key_a', rule).allowed).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('weighs the previous window by how much of it still overlaps', () => {
    const { clock, limiter } = limiterAt(1_000_000);
    const ten = { requests: 10, windowSeconds: 10 };
    for (let i = 0; i < 10; i++) expect(limiter.hit('key_a', ten).allowed).toBe(true);
    // 30% into the next window, 70% of the previous 10 still counts: 7, so 3 more fit.
    clock.now = 1_010_000 + 3_000;
    for (let i = 0; i < 3; i++) expect(limiter.hit('key_a', ten).allowed, `request ${i}`).toBe(true);
    expect(limiter.hit('key_a', ten).allowed).toBe(false);
    // 80% into it, 20% of 10 = 2, plus the 3 made: 5 more fit.
    clock.now = 1_010_000 + 8_000;
    for (let i = 0; i < 5; i++) expect(limiter.hit('key_a', ten).allowed, `request ${i}`).toBe(true);
    expect(limiter.hit('key_a', ten).allowed).toBe(false);
  });

  it('forgets a window that is more than one window old', () => {
    const { clock, limiter } = limiterAt(1_000_000);
    for (let i = 0; i < 5; i++) limiter.hit('key_a', limit);
    clock.now = 1_020_000 + 1;
    for (let i = 0; i < 5; i++) expect(limiter.hit('key_a', limit).allowed).toBe(true);
  });

  it('forget() resets a credential', () => {
    const { limiter } = limiterAt(1_000_000);
    for (let i = 0; i < 5; i++) limiter.hit('key_a', limit);
    expect(limiter.hit('key_a', limit).allowed).toBe(false);
    limiter.forget('key_a');
    expect(limiter.hit('key_a', limit).allowed).toBe(true);
  });
});
