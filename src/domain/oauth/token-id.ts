import { randomFillSync } from 'node:crypto';
import { BASE62_ALPHABET } from '../base62.js';

const pool = Buffer.alloc(4096);
let offset = pool.length;

/**
 * A random access token id (jti): 22 uniformly random base62 characters (about
 * 131 bits), as `randomBase62` makes them, but drawn from a pooled CSPRNG
 * buffer. The token endpoint mints one per request, and a `randomBytes` call
 * costs a few microseconds each where one refill serves about 180 tokens.
 * Every byte is used once; bytes >= 248 are rejected so that every character
 * is equally likely (248 = 4 * 62).
 */
export function randomTokenId(length = 22): string {
  let out = '';
  while (out.length < length) {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const b = pool[offset++]!;
    if (b < 248) out += BASE62_ALPHABET[b % 62];
  }
  return out;
}
