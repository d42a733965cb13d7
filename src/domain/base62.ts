import { randomBytes } from 'node:crypto';

export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 value of each ASCII code, -1 for every other character: one array read per character. */
export const BASE62_VALUES: Int8Array = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE62_ALPHABET.length; i++) values[BASE62_ALPHABET.charCodeAt(i)] = i;
  return values;
})();

/** Bits of entropy carried by `length` uniformly random base62 characters. */
export function base62Bits(length: number): number {
  return length * Math.log2(62);
}

/**
 * Uniform random base62 string from the CSPRNG. Bytes >= 248 are rejected so
 * that every character is equally likely (248 = 4 * 62).
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = randomBytes(length + 8);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const b = bytes[i]!;
      if (b < 248) out += BASE62_ALPHABET[b % 62];
    }
  }
  return out;
}

/** Fixed-width base62 encoding of a non-negative integer below 2^53. */
export function encodeBase62Fixed(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = BASE62_ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  if (rest !== 0) throw new RangeError(`value ${value} does not fit in ${width} base62 characters`);
  return out;
}
