// A lean RFC 9421 signer for the load generator: the client's cost must stay
// small beside the server's, so no generic library, just the signature base.
import { createHash, createHmac, randomBytes, sign } from 'node:crypto';

const NONCE_PREFIX = randomBytes(6).toString('hex');
let sequence = 0;

/** RFC 9530 `Content-Digest` of the exact body bytes. */
export function contentDigest(body) {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/**
 * Headers that sign `method url` (with `content-digest` when there is a body), created now,
 * with a nonce that keeps every signature distinct (the server refuses a replayed one).
 * @param {{ keyId: string, algorithm: 'hmac-sha256', secret: Buffer } | { keyId: string, algorithm: 'ed25519', privateKey: import('node:crypto').KeyObject }} key
 */
export function signRequest(key, method, url, body) {
  const created = Math.floor(Date.now() / 1000);
  const components = body === undefined ? ['@method', '@target-uri'] : ['@method', '@target-uri', 'content-digest'];
  const digest = body === undefined ? undefined : contentDigest(body);
  const params = `(${components.map((c) => `"${c}"`).join(' ')});created=${created};nonce="${NONCE_PREFIX}${(sequence++).toString(36)}";keyid="${key.keyId}";alg="${key.algorithm}"`;
  let base = `"@method": ${method}\n"@target-uri": ${url}\n`;
  if (digest !== undefined) base += `"content-digest": ${digest}\n`;
  base += `"@signature-params": ${params}`;
  const signature = key.algorithm === 'hmac-sha256' ? createHmac('sha256', key.secret).update(base).digest('base64') : sign(null, Buffer.from(base), key.privateKey).toString('base64');
  return { ...(digest !== undefined && { 'content-digest': digest }), 'signature-input': `sig1=${params}`, signature: `sig1=:${signature}:` };
}
