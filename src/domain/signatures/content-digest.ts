import { createHash, hash } from 'node:crypto';
import { base64Matches } from '../../crypto/constant-time.js';
import { parseByteSequenceDictionary, StructuredFieldError } from './structured-fields.js';

const ALGORITHMS: Record<string, string> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

const SINGLE_SHA256 = 'sha-256=:';

export type DigestCheck = 'ok' | 'malformed' | 'unsupported' | 'mismatch';

/**
 * RFC 9530 `Content-Digest` against the body received. Every supported
 * digest present must match, and at least one must be present.
 */
export function checkContentDigest(header: string, body: Buffer): DigestCheck {
  // The one form clients send, a single sha-256 member, needs no parsing. (The digest of a body the
  // caller sent is no secret: a plain comparison is fine.)
  const sha256 = hash('sha256', body, 'base64');
  // Compared in place, without building the expected header.
  if (header.length === SINGLE_SHA256.length + sha256.length + 1 && header.startsWith(SINGLE_SHA256) && header.startsWith(sha256, SINGLE_SHA256.length) && header.endsWith(':')) return 'ok';
  let digests: Map<string, string>;
  try {
    digests = parseByteSequenceDictionary(header);
  } catch (error) {
    if (error instanceof StructuredFieldError) return 'malformed';
    throw error;
  }
  let checked = 0;
  for (const [name, received] of digests) {
    const algorithm = ALGORITHMS[name];
    if (algorithm === undefined) continue;
    if (!base64Matches(received, algorithm === 'sha256' ? sha256 : hash(algorithm, body, 'base64'))) return 'mismatch';
    checked++;
  }
  return checked === 0 ? 'unsupported' : 'ok';
}

/** What a client sends: `sha-256=:<base64>:`. */
export function contentDigestHeader(body: Buffer | string): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}
