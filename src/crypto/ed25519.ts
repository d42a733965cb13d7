import { createPrivateKey } from 'node:crypto';
import sodium from 'sodium-native';

/*
 * Ed25519 (RFC 8032) through libsodium rather than node:crypto. Node 20 signs
 * with OpenSSL 3.0, whose Ed25519 is slow here: 38 µs a signature against
 * libsodium's 21, and 99 µs a verification against 64 (measured side by side
 * on the benchmark machine). Every access token is one signature and every
 * Ed25519-signed request one verification. Ed25519 signatures are
 * deterministic, so both produce the same bytes (tested), and libsodium's
 * verification is the stricter of the two (it also refuses small-order and
 * non-canonical points, which no honest signer produces).
 */

const SIGNATURE_BYTES = sodium.crypto_sign_BYTES;
const PUBLIC_KEY_BYTES = sodium.crypto_sign_PUBLICKEYBYTES;

/** Where a signature is written before it is encoded: signing is synchronous. */
const signature = Buffer.alloc(SIGNATURE_BYTES);

export class Ed25519PrivateKey {
  /** libsodium's secret key (seed, then public key), in guarded memory of its own. */
  readonly #secret: Buffer;

  private constructor(seed: Buffer) {
    this.#secret = sodium.sodium_malloc(sodium.crypto_sign_SECRETKEYBYTES);
    sodium.crypto_sign_seed_keypair(Buffer.alloc(PUBLIC_KEY_BYTES), this.#secret, seed);
  }

  /** From PKCS #8 DER, the form Tessera seals its signing keys in. */
  static fromPkcs8(der: Buffer): Ed25519PrivateKey {
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`expected an Ed25519 private key, got ${key.asymmetricKeyType ?? 'unknown'}`);
    const seed = Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url');
    try {
      return new Ed25519PrivateKey(seed);
    } finally {
      seed.fill(0);
    }
  }

  /** The signature of `message`, base64url-encoded (as JWS wants it). */
  signBase64url(message: Buffer): string {
    sodium.crypto_sign_detached(signature, message, this.#secret);
    return signature.toString('base64url');
  }
}

export class Ed25519PublicKey {
  readonly #raw: Buffer;

  /**
   * Whether these 32 bytes are a public key any signature can verify against:
   * a canonical point of the curve, not of small order (the identity among
   * them, which a lax verifier would let anyone sign for).
   */
  static isUsable(raw: Buffer): boolean {
    return raw.length === PUBLIC_KEY_BYTES && sodium.crypto_core_ed25519_is_valid_point(raw);
  }

  constructor(raw: Buffer) {
    if (raw.length !== PUBLIC_KEY_BYTES) throw new TypeError(`an Ed25519 public key is ${PUBLIC_KEY_BYTES} bytes, not ${raw.length}`);
    this.#raw = Buffer.from(raw);
  }

  static fromBase64(text: string): Ed25519PublicKey {
    return new Ed25519PublicKey(Buffer.from(text, 'base64'));
  }

  verify(message: Buffer, signatureBytes: Buffer): boolean {
    return signatureBytes.length === SIGNATURE_BYTES && sodium.crypto_sign_verify_detached(signatureBytes, message, this.#raw);
  }
}
