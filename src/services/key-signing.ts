import type { MasterKeyring } from '../crypto/master-key.js';
import type { SigningSettings } from '../domain/credential.js';
import type { Environment } from '../domain/environment.js';
import { TesseraError } from '../domain/errors.js';
import { generateSecret } from '../domain/key-format.js';
import { InvalidPublicKeyError, normalizeEd25519PublicKey, type SignatureScheme } from '../domain/signatures/signing-keys.js';

export interface SigningRequest {
  /** Azupay's generateHMAC: Tessera makes a signing secret and shows it once. */
  generateHmac?: boolean | undefined;
  /** Or the merchant registers an Ed25519 public key, and Tessera holds no secret. */
  publicKey?: string | undefined;
  scheme?: SignatureScheme | undefined;
}

export interface PreparedSigning {
  settings: SigningSettings | null;
  /** Shown once in the create response. */
  hmacKey: string | null;
  sealed: string | null;
}

export function signingSecretAad(credentialId: string): string {
  return `signing:${credentialId}`;
}

/** Validates a key's signing options and, for HMAC, makes and seals its secret. */
export function prepareSigning(request: SigningRequest, options: { brand: string; environment: Environment; credentialId: string; keyring: MasterKeyring }): PreparedSigning {
  const { generateHmac = false, publicKey, scheme } = request;
  if (generateHmac && publicKey !== undefined) {
    throw new TesseraError('invalid_field', 'Choose one way to sign: `generateHMAC: true` (Tessera makes a shared secret) or `signingPublicKey` (you keep an Ed25519 private key), not both.', { param: 'signingPublicKey' });
  }
  if (!generateHmac && publicKey === undefined) {
    if (scheme !== undefined) throw new TesseraError('invalid_field', '`signatureScheme` needs `generateHMAC: true` or a `signingPublicKey`.', { param: 'signatureScheme' });
    return { settings: null, hmacKey: null, sealed: null };
  }
  if (publicKey !== undefined) {
    if (scheme === 'payload-signature') {
      throw new TesseraError('invalid_field', 'Payload-Signature is an HMAC of the body: it needs `generateHMAC: true`, not a public key.', { param: 'signatureScheme' });
    }
    let raw: string;
    try {
      raw = normalizeEd25519PublicKey(publicKey);
    } catch (error) {
      if (!(error instanceof InvalidPublicKeyError)) throw error;
      throw new TesseraError('invalid_field', `\`signingPublicKey\` must be an Ed25519 public key, as PEM (SPKI) or the raw 32 bytes in base64: ${error.message}.`, { param: 'signingPublicKey' });
    }
    return { settings: { scheme: 'http-message-signatures', algorithm: 'ed25519', publicKey: raw }, hmacKey: null, sealed: null };
  }
  const hmacKey = generateSecret(options.brand, 'signing', options.environment);
  return {
    settings: { scheme: scheme ?? 'http-message-signatures', algorithm: 'hmac-sha256', publicKey: null },
    hmacKey,
    sealed: options.keyring.seal(hmacKey, signingSecretAad(options.credentialId)),
  };
}
