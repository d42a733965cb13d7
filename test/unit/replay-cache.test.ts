import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryReplayCache } from '../../src/services/replay-cache.js';

describe('MemoryReplayCache', () => {
  it('answers true for a signature seen inside its window, and forgets it after', () => {
    let now = 1_000;
    const cache = new MemoryReplayCache(1_000, () => now);
    const signature = randomBytes(32).toString('base64');
    expect(cache.seenBefore(signature, 1_300)).toBe(false);
    expect(cache.seenBefore(`${signature}`, 1_300)).toBe(true);
    now = 1_300;
    expect(cache.seenBefore(signature, 1_600)).toBe(true);
    now = 1_301;
    // Out of its window the signature is refused for its created time anyway; the cache may forget it.
    expect(cache.seenBefore(signature, 1_601)).toBe(false);
    expect(cache.seenBefore(signature, 1_601)).toBe(true);
  });

  it('remembers every signature up to its capacity, and takes no distinct one for a repeat', () => {
    const cache = new MemoryReplayCache(100_000, () => 1_000);
    const signatures = Array.from({ length: 100_000 }, () => randomBytes(64).toString('base64'));
    for (const s of signatures) expect(cache.seenBefore(s, 1_300)).toBe(false);
    let remembered = 0;
    for (const s of signatures) if (cache.seenBefore(s, 1_300)) remembered++;
    // At half load a few signatures may meet 16 live neighbours and push out the one expiring first;
    // with one expiry for all, that is any of them.
    expect(remembered).toBeGreaterThan(99_990);
  });

  it('past its capacity, forgets the signatures closest to leaving their window first', () => {
    const cache = new MemoryReplayCache(64, () => 1_000);
    const signatures = Array.from({ length: 5_000 }, () => randomBytes(32).toString('base64'));
    signatures.forEach((s, i) => expect(cache.seenBefore(s, 1_001 + i)).toBe(false));
    // The newest expire last: none of them can have been pushed out by a later one.
    for (const s of signatures.slice(-8)) expect(cache.seenBefore(s, 9_999)).toBe(true);
    const remembered = signatures.slice(0, 1_000).filter((s) => cache.seenBefore(s, 9_999)).length;
    expect(remembered).toBe(0);
  });

  it('refuses what is not a signature', () => {
    expect(() => new MemoryReplayCache(10, () => 0).seenBefore(Buffer.alloc(7).toString('base64'), 1)).toThrow(TypeError);
  });
});
