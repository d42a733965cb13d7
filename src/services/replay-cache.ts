import type { ReplayGuard } from '../domain/signatures/http-message-signature.js';

/** How many neighbouring slots a signature may occupy from its home slot. */
const PROBES = 16;

/** Per slot, three 32-bit words side by side: when it may be forgotten, then the signature's 60 bits. */
const UNTIL = 0;
const HIGH = 1;
const LOW = 2;
const WORDS = 3;

/** The 6-bit value of each base64 character, by char code. */
const BASE64_VALUE = new Uint8Array(128);
for (const [value, char] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) BASE64_VALUE[char.charCodeAt(0)] = value;

/** The 30 bits that five base64 characters from `from` encode. */
function bits30(base64: string, from: number): number {
  let bits = 0;
  for (let i = from; i < from + 5; i++) bits = (bits << 6) | BASE64_VALUE[base64.charCodeAt(i) & 0x7f]!;
  return bits;
}

/**
 * Signatures seen inside their tolerance window, in this process's memory, as
 * a fixed hash table in one typed array: 60 bits of each signature and the
 * second it may be forgotten. No object per signature, so a million remembered
 * signatures cost 24 MB and nothing for the garbage collector to trace (a Map
 * of strings cost several times that, and a microsecond or more per request).
 * A slot's words are adjacent, so a look-up reads one run of memory, not three
 * far-apart ones: the table is far larger than the CPU's caches.
 *
 * Only verified signatures are remembered (HMAC-SHA256 or Ed25519 outputs, 32
 * or 64 bytes that look random), so 60 of their bits, read straight from the
 * first ten characters of their canonical base64, identify them: two distinct
 * signatures sharing them inside one window is a 1-in-10^12 event, and could
 * only refuse a request, never admit one.
 *
 * Bounded: a signature lives within PROBES slots of its home; an expired slot
 * is free. When every one of them is live (more than `capacity` signatures
 * inside one window), the one closest to leaving its window is forgotten first.
 */
export class MemoryReplayCache implements ReplayGuard {
  private readonly slots: number;
  private table: Uint32Array | null = null;

  constructor(
    capacity: number,
    private readonly nowSeconds: () => number,
  ) {
    this.slots = 2 ** Math.ceil(Math.log2(Math.max(PROBES, capacity * 2)));
  }

  /** `signature`: the canonical base64 of a verified signature's bytes. */
  seenBefore(signature: string, forgetAfter: number): boolean {
    // Under 8 bytes, base64 is shorter than 12 characters or pads its eleventh.
    if (signature.length < 12 || signature.charCodeAt(10) === 0x3d) throw new TypeError('a replay cache remembers signatures of at least 8 bytes, as base64');
    // Allocated on first use: a server whose keys never sign pays nothing.
    const table = (this.table ??= new Uint32Array(this.slots * WORDS));
    const h = bits30(signature, 0);
    const l = bits30(signature, 5);
    const now = this.nowSeconds();
    const mask = this.slots - 1;
    const home = (l ^ Math.imul(h, 0x9e3779b1)) & mask;
    let free = -1;
    let soonest = -1;
    for (let i = 0; i < PROBES; i++) {
      const at = ((home + i) & mask) * WORDS;
      const expiry = table[at + UNTIL]!;
      if (expiry < now) {
        if (free === -1) free = at;
      } else if (table[at + HIGH] === h && table[at + LOW] === l) {
        return true;
      } else if (soonest === -1 || expiry < table[soonest + UNTIL]!) {
        soonest = at;
      }
    }
    const at = free === -1 ? soonest : free;
    table[at + UNTIL] = forgetAfter;
    table[at + HIGH] = h;
    table[at + LOW] = l;
    return false;
  }
}
