import { equalsInConstantTime } from '../../crypto/constant-time.js';
import type { HmacSha256Key } from '../../crypto/hmac-sha256.js';
import { failure, type SignatureFailure } from './signed-message.js';

/**
 * OneKey's `Payload-Signature`: hex HMAC-SHA256 of the raw UTF-8 body with the
 * signing secret. It covers neither method, path nor time, so a captured
 * request can be replayed: kept only for compatibility, chosen per key.
 */
export function verifyPayloadSignature(header: string | undefined, body: Buffer | null, hmacKey: HmacSha256Key): SignatureFailure | null {
  if (header === undefined || header === '') {
    return failure('signature_missing', 'This key requires signed requests: send Payload-Signature, the hex HMAC-SHA256 of the raw body with your signing secret.');
  }
  const received = header.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(received)) {
    return failure('signature_malformed', 'Payload-Signature must be 64 hex characters (HMAC-SHA256 of the raw body).');
  }
  if (!equalsInConstantTime(received.toLowerCase(), hmacKey.digest(body ?? Buffer.alloc(0), 'hex'))) {
    return failure('signature_invalid', 'Payload-Signature does not match the body. Sign the exact bytes you send, encoded as UTF-8, with your signing secret.');
  }
  return null;
}
