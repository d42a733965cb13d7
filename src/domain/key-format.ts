import { BASE62_VALUES, encodeBase62Fixed, randomBase62 } from './base62.js';
import { CRC32_TABLE, crc32Ascii } from './crc32.js';
import type { Environment } from './environment.js';

/**
 * Secret format: `{brand}_{kind}_{env}_{random}{checksum}`.
 * 33 base62 characters carry 196 random bits (at least 192 required); the
 * checksum is CRC32 of everything before it, as 6 base62 characters, so a typo
 * or a scanner's candidate is rejected without touching the database.
 */
export const RANDOM_LENGTH = 33;
export const CHECKSUM_LENGTH = 6;

/** Short codes that appear in a secret, one per kind of secret Tessera issues. */
export const SECRET_KIND_CODES = {
  secret: 'sk',
  restricted: 'rk',
  publishable: 'pk',
  client: 'cc',
  client_secret: 'cs',
  /** A request-signing secret: used as an HMAC key, never sent as a credential. */
  signing: 'hk',
} as const;

export type SecretKind = keyof typeof SECRET_KIND_CODES;

const KIND_BY_CODE = new Map<string, SecretKind>(
  Object.entries(SECRET_KIND_CODES).map(([kind, code]) => [code, kind as SecretKind]),
);

const BRAND_PATTERN = /^[a-z][a-z0-9]{1,15}$/;

export function assertValidBrand(brand: string): void {
  if (!BRAND_PATTERN.test(brand)) {
    throw new TypeError(`brand "${brand}" must be 2-16 lowercase letters or digits, starting with a letter`);
  }
}

export interface ParsedSecret {
  brand: string;
  kind: SecretKind;
  environment: Environment;
  /** `{brand}_{kind}_{env}_`: safe to show, says what the secret is. */
  prefix: string;
}

export type SecretParseFailure = 'malformed' | 'bad_checksum';

function checksumOf(body: string): string {
  return encodeBase62Fixed(crc32Ascii(body), CHECKSUM_LENGTH);
}

export function secretPrefix(brand: string, kind: SecretKind, environment: Environment): string {
  return `${brand}_${SECRET_KIND_CODES[kind]}_${environment}_`;
}

export function generateSecret(brand: string, kind: SecretKind, environment: Environment): string {
  const body = secretPrefix(brand, kind, environment) + randomBase62(RANDOM_LENGTH);
  return body + checksumOf(body);
}

const TAIL_LENGTH = RANDOM_LENGTH + CHECKSUM_LENGTH;
const UNDERSCORE = 95;

/**
 * Parses and checksums a presented secret. Pure string work in one pass over
 * the characters: no allocation of a digest and no storage access, so garbage
 * costs almost nothing. It runs on every authenticated request.
 */
export function parseSecret(text: string, brand: string): ParsedSecret | SecretParseFailure {
  const length = text.length;
  const kindStart = brand.length + 1;
  // brand _ kind(2) _ env(4 "live" or 7 "sandbox") _ tail
  if (length !== kindStart + 3 + 5 + TAIL_LENGTH && length !== kindStart + 3 + 8 + TAIL_LENGTH) return 'malformed';
  if (!text.startsWith(brand) || text.charCodeAt(brand.length) !== UNDERSCORE || text.charCodeAt(kindStart + 2) !== UNDERSCORE) return 'malformed';
  const kind = KIND_BY_CODE.get(text.slice(kindStart, kindStart + 2));
  if (kind === undefined) return 'malformed';
  const envStart = kindStart + 3;
  const live = length === envStart + 5 + TAIL_LENGTH;
  if (!text.startsWith(live ? 'live_' : 'sandbox_', envStart)) return 'malformed';
  const tailStart = length - TAIL_LENGTH;
  const bodyEnd = length - CHECKSUM_LENGTH;
  // One pass: the CRC over the body (prefix and random part), the alphabet of the tail.
  let crc = -1;
  for (let i = 0; i < bodyEnd; i++) {
    const code = text.charCodeAt(i);
    if (i >= tailStart && (code > 127 || BASE62_VALUES[code]! < 0)) return 'malformed';
    crc = CRC32_TABLE[(crc ^ code) & 0xff]! ^ (crc >>> 8);
  }
  let checksum = 0;
  for (let i = bodyEnd; i < length; i++) {
    const code = text.charCodeAt(i);
    const value = code > 127 ? -1 : BASE62_VALUES[code]!;
    if (value < 0) return 'malformed';
    checksum = checksum * 62 + value;
  }
  if (((crc ^ -1) >>> 0) !== checksum) return 'bad_checksum';
  return { brand, kind, environment: live ? 'live' : 'sandbox', prefix: text.slice(0, tailStart) };
}
