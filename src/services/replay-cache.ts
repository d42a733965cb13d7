import type { ReplayGuard } from '../domain/signatures/http-message-signature.js';

/** The 6-bit value of each base64 character, by char code. */
const BASE64_VALUE = new Uint8Array(128);
for (const [value, char] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) BASE64_VALUE[char.charCodeAt(0)] = value;

/** The 30 bits that five base64 characters from `from` encode. */
function bits30(base64: string, from: number): number {
  let bits = 0;
  for (let i = from; i < from + 5; i++) bits = (bits << 6) | BASE64_VALUE[base64.charCodeAt(i) & 0x7f]!;
  return bits;
}

/** Set on every stored high word, so that a slot holding 0 is free. */
const OCCUPIED = 0x40000000;
const FIRST_SLOTS = 1024;

/**
 * The signatures of one second (their `forgetAfter`): an open-addressing set
 * of 60-bit fingerprints, two 32-bit words a slot, doubled when half full.
 */
class SecondOfSignatures {
  size = 0;
  private slots = new Uint32Array(FIRST_SLOTS * 2);

  /** Adds a fingerprint; answers whether it was already there. */
  add(high: number, low: number): boolean {
    const slots = this.slots;
    const mask = slots.length / 2 - 1;
    for (let i = (low ^ Math.imul(high, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const stored = slots[i * 2]!;
      if (stored === 0) {
        slots[i * 2] = high;
        slots[i * 2 + 1] = low;
        if (++this.size * 2 > mask + 1) this.grow();
        return false;
      }
      if (stored === high && slots[i * 2 + 1] === low) return true;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.size = 0;
    for (let at = 0; at < old.length; at += 2) if (old[at] !== 0) this.add(old[at]!, old[at + 1]!);
  }
}

/**
 * Signatures seen inside their tolerance window, in this process's memory,
 * kept by the second they may be forgotten (their `created` plus the
 * tolerance, which the signature itself covers, so a replay always lands in
 * the same second). Nearly every request is signed just now, so its look-up
 * touches the small, cache-warm table of the current second: one fixed table
 * of a million slots made every look-up a cache and TLB miss, and first
 * touches of its pages faulted, 1-2 µs per signed request under load. A
 * second is dropped whole once it has passed. No object per signature, so
 * nothing for the garbage collector to trace.
 *
 * Only verified signatures are remembered (HMAC-SHA256 or Ed25519 outputs, 32
 * or 64 bytes that look random), so 60 of their bits, read straight from the
 * first ten characters of their canonical base64, identify them: two distinct
 * signatures sharing them inside one second is far rarer than 1 in 10^12, and
 * could only refuse a request, never admit one.
 *
 * Bounded: past `capacity` signatures, the second closest to its end is
 * forgotten first.
 */
export class MemoryReplayCache implements ReplayGuard {
  private readonly seconds = new Map<number, SecondOfSignatures>();
  private remembered = 0;
  private sweptAt = -1;

  constructor(
    private readonly capacity: number,
    private readonly nowSeconds: () => number,
  ) {}

  /** `signature`: the canonical base64 of a verified signature's bytes; `forgetAfter`: the last second its `created` is accepted. */
  seenBefore(signature: string, forgetAfter: number): boolean {
    // Under 8 bytes, base64 is shorter than 12 characters or pads its eleventh.
    if (signature.length < 12 || signature.charCodeAt(10) === 0x3d) throw new TypeError('a replay cache remembers signatures of at least 8 bytes, as base64');
    const now = this.nowSeconds();
    if (now !== this.sweptAt) this.forgetBefore(now);
    // Already outside its window: refused for its created time anyway, nothing to remember.
    if (forgetAfter < now) return false;
    let second = this.seconds.get(forgetAfter);
    if (second === undefined) this.seconds.set(forgetAfter, (second = new SecondOfSignatures()));
    const before = second.size;
    if (second.add(bits30(signature, 0) | OCCUPIED, bits30(signature, 5))) return true;
    this.remembered += second.size - before;
    if (this.remembered > this.capacity) this.forgetSoonest();
    return false;
  }

  private forgetBefore(now: number): void {
    this.sweptAt = now;
    for (const [at, second] of this.seconds) {
      if (at < now) {
        this.remembered -= second.size;
        this.seconds.delete(at);
      }
    }
  }

  private forgetSoonest(): void {
    let soonest = Infinity;
    for (const at of this.seconds.keys()) soonest = Math.min(soonest, at);
    this.remembered -= this.seconds.get(soonest)!.size;
    this.seconds.delete(soonest);
  }
}
