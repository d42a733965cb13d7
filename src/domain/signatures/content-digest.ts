import { createHash, hash } from 'node:crypto';
import { equalsBinaryDigest } from '../../crypto/binary-digest.js';
import { parseByteSequenceDictionary, StructuredFieldError } from './structured-fields.js';

const ALGORITHMS: Record<string, string> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

export type DigestCheck = 'ok' | 'malformed' | 'unsupported' | 'mismatch';

/**
 * RFC 9530 `Content-Digest` against the body received. Every supported
 * digest present must match, and at least one must be present.
 */
export function checkContentDigest(header: string, body: Buffer): DigestCheck {
  let digests: Map<string, Buffer>;
  try {
    digests = parseByteSequenceDictionary(header);
  } catch (error) {
    if (error instanceof StructuredFieldError) return 'malformed';
    throw error;
  }
  let checked = 0;
  for (const [name, expected] of digests) {
    const algorithm = ALGORITHMS[name];
    if (algorithm === undefined) continue;
    // One-shot hash, as a binary string: no Hash object and no C++-made Buffer per request.
    if (!equalsBinaryDigest(expected, hash(algorithm, body, 'binary'))) return 'mismatch';
    checked++;
  }
  return checked === 0 ? 'unsupported' : 'ok';
}

/** What a client sends: `sha-256=:<base64>:`. */
export function contentDigestHeader(body: Buffer | string): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}
