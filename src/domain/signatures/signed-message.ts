import type { Ed25519PublicKey } from '../../crypto/ed25519.js';
import type { HmacSha256Key } from '../../crypto/hmac-sha256.js';

/** What signature verification needs of a request, free of any HTTP framework. */
export interface SignedMessage {
  method: string;
  scheme: 'http' | 'https';
  /** Host (and port when not the scheme's default), lower-cased. */
  authority: string;
  /** Absolute path as the client sent it, without the query. */
  path: string;
  /** The query without its `?`; null when the URL has none. */
  query: string | null;
  /** A header's value, combined as Node combines repeats; names are lower-case. */
  header(name: string): string | undefined;
  body: Buffer | null;
}

export type SigningAlgorithm = 'hmac-sha256' | 'ed25519';

export interface VerificationKey {
  keyId: string;
  algorithm: SigningAlgorithm;
  /** HMAC: the UTF-8 bytes of the signing secret exactly as shown to the merchant, prepared once when the key is loaded. */
  hmacKey: HmacSha256Key | null;
  /** Ed25519: the merchant's public key; Tessera holds no secret at all. */
  publicKey: Ed25519PublicKey | null;
}

export type SignatureErrorCode =
  | 'signature_missing'
  | 'signature_malformed'
  | 'signature_unknown_keyid'
  | 'signature_missing_component'
  | 'signature_content_digest_mismatch'
  | 'signature_created_out_of_window'
  | 'signature_replayed'
  | 'signature_invalid';

export interface SignatureFailure {
  code: SignatureErrorCode;
  message: string;
}

export function failure(code: SignatureErrorCode, message: string): SignatureFailure {
  return { code, message };
}
