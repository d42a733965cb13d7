import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryReplayCache } from '../../src/services/replay-cache.js';

const signature = (bytes = 32) => randomBytes(bytes).toString('base64');

describe('MemoryReplayCache', () => {
  it('answers true for a signature seen inside its window, and forgets it after', () => {
    let now = 1_000;
    const cache = new MemoryReplayCache(1_000, () => now);
    const s = signature();
    expect(cache.seenBefore(s, 1_300)).toBe(false);
    expect(cache.seenBefore(`${s}`, 1_300)).toBe(true);
    now = 1_300;
    expect(cache.seenBefore(s, 1_300)).toBe(true);
    now = 1_301;
    // Out of its window the signature is refused for its created time anyway: nothing is kept for it.
    expect(cache.seenBefore(s, 1_300)).toBe(false);
    expect(cache.seenBefore(s, 1_300)).toBe(false);
  });

  it('remembers every signature up to its capacity, in one second or spread over many, and takes no distinct one for a repeat', () => {
    const cache = new MemoryReplayCache(200_000, () => 1_000);
    const oneSecond = Array.from({ length: 100_000 }, () => signature(64));
    const spread = Array.from({ length: 100_000 }, () => signature(32));
    for (const s of oneSecond) expect(cache.seenBefore(s, 1_300)).toBe(false);
    spread.forEach((s, i) => expect(cache.seenBefore(s, 1_000 + (i % 600))).toBe(false));
    expect(oneSecond.filter((s) => cache.seenBefore(s, 1_300)).length).toBe(100_000);
    expect(spread.filter((s, i) => cache.seenBefore(s, 1_000 + (i % 600))).length).toBe(100_000);
  });

  it('keeps a signature to the second it names: the same bytes under another second are another entry', () => {
    const cache = new MemoryReplayCache(1_000, () => 1_000);
    const s = signature();
    expect(cache.seenBefore(s, 1_100)).toBe(false);
    expect(cache.seenBefore(s, 1_200)).toBe(false);
    expect(cache.seenBefore(s, 1_100)).toBe(true);
    expect(cache.seenBefore(s, 1_200)).toBe(true);
  });

  it('past its capacity, forgets the signatures closest to leaving their window first', () => {
    const cache = new MemoryReplayCache(64, () => 1_000);
    const signatures = Array.from({ length: 5_000 }, () => signature());
    signatures.forEach((s, i) => expect(cache.seenBefore(s, 1_001 + i)).toBe(false));
    // The newest expire last: none of them can have been pushed out by a later one.
    signatures.slice(-8).forEach((s, i) => expect(cache.seenBefore(s, 1_001 + 4_992 + i)).toBe(true));
    const remembered = signatures.slice(0, 1_000).filter((s, i) => cache.seenBefore(s, 1_001 + i)).length;
    expect(remembered).toBe(0);
  });

  it('refuses what is not a signature', () => {
    expect(() => new MemoryReplayCache(10, () => 0).seenBefore(signature(7), 1)).toThrow(TypeError);
    expect(() => new MemoryReplayCache(10, () => 0).seenBefore('AAAA', 1)).toThrow(TypeError);
  });
});
