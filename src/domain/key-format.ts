import { crc32 } from 'node:zlib';
import { encodeBase62Fixed, isBase62, randomBase62 } from './base62.js';
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
} as const;

export type SecretKind = keyof typeof SECRET_KIND_CODES;
type KindCode = (typeof SECRET_KIND_CODES)[SecretKind];

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
  last4: string;
}

export type SecretParseFailure = 'malformed' | 'bad_checksum';

function checksumOf(body: string): string {
  return encodeBase62Fixed(crc32(body), CHECKSUM_LENGTH);
}

export function secretPrefix(brand: string, kind: SecretKind, environment: Environment): string {
  return `${brand}_${SECRET_KIND_CODES[kind]}_${environment}_`;
}

export function generateSecret(brand: string, kind: SecretKind, environment: Environment): string {
  const body = secretPrefix(brand, kind, environment) + randomBase62(RANDOM_LENGTH);
  return body + checksumOf(body);
}

/**
 * Parses and checksums a presented secret. Pure string work: no allocation of
 * a digest and no storage access, so garbage costs almost nothing.
 */
export function parseSecret(text: string, brand: string): ParsedSecret | SecretParseFailure {
  // brand _ kind(2) _ env(4 or 7) _ random+checksum
  const tailLength = RANDOM_LENGTH + CHECKSUM_LENGTH;
  if (text.length < brand.length + 4 + 4 + 1 + tailLength || text.length > brand.length + 4 + 7 + 1 + tailLength) {
    return 'malformed';
  }
  if (!text.startsWith(brand) || text.charCodeAt(brand.length) !== 95 /* _ */) return 'malformed';
  const kindStart = brand.length + 1;
  const code = text.slice(kindStart, kindStart + 2) as KindCode;
  const kind = KIND_BY_CODE.get(code);
  if (kind === undefined || text.charCodeAt(kindStart + 2) !== 95) return 'malformed';
  const envStart = kindStart + 3;
  const envEnd = text.indexOf('_', envStart);
  if (envEnd === -1) return 'malformed';
  const env = text.slice(envStart, envEnd);
  if (env !== 'live' && env !== 'sandbox') return 'malformed';
  const tail = text.slice(envEnd + 1);
  if (tail.length !== tailLength || !isBase62(tail)) return 'malformed';
  const body = text.slice(0, text.length - CHECKSUM_LENGTH);
  if (checksumOf(body) !== text.slice(text.length - CHECKSUM_LENGTH)) return 'bad_checksum';
  return { brand, kind, environment: env, prefix: text.slice(0, envEnd + 1), last4: text.slice(-4) };
}
