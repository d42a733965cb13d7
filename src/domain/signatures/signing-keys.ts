import { createPublicKey, type KeyObject } from 'node:crypto';
import { Ed25519PublicKey } from '../../crypto/ed25519.js';

/** Signature schemes a key can require; chosen at creation. */
export const SIGNATURE_SCHEMES = ['http-message-signatures', 'payload-signature'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

export class InvalidPublicKeyError extends Error {}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * An Ed25519 public key as a merchant pastes it: PEM (SPKI), or the raw 32
 * bytes in base64 or base64url. Answers the raw key, base64-encoded, which is
 * what Tessera stores.
 */
export function normalizeEd25519PublicKey(text: string): string {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('-----BEGIN')) key = createPublicKey(trimmed);
    else {
      const raw = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      if (raw.length !== 32) throw new InvalidPublicKeyError('a raw Ed25519 public key is 32 bytes');
      key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    }
  } catch (error) {
    if (error instanceof InvalidPublicKeyError) throw error;
    throw new InvalidPublicKeyError('not a readable public key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new InvalidPublicKeyError(`an ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  const raw = key.export({ format: 'der', type: 'spki' }).subarray(-32);
  if (!Ed25519PublicKey.isUsable(raw)) throw new InvalidPublicKeyError('not a point of the curve that a signature can verify against (it is of small order or not canonical): export the public key of the pair you sign with');
  return raw.toString('base64');
}
