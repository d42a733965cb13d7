import { createHash, createHmac, sign as ed25519Sign, type KeyObject } from 'node:crypto';
import { createSigner, httpbis } from 'http-message-signatures';

/** What a merchant holds to sign: the HMAC key's UTF-8 bytes, or an Ed25519 private key. */
export type ClientSigningKey = { keyId: string; algorithm: 'hmac-sha256'; secret: Buffer } | { keyId: string; algorithm: 'ed25519'; privateKey: KeyObject };

/** The signing key of a key issued with `generateHMAC: true`: the HMAC key is the UTF-8 bytes of `hmacKey`. */
export function hmacKeyOf(issued: { id: string; hmacKey?: unknown }): ClientSigningKey {
  if (typeof issued.hmacKey !== 'string') throw new TypeError(`key ${issued.id} was issued without an hmacKey`);
  return { keyId: issued.id, algorithm: 'hmac-sha256', secret: Buffer.from(issued.hmacKey, 'utf8') };
}

export function ed25519KeyOf(keyId: string, privateKey: KeyObject): ClientSigningKey {
  return { keyId, algorithm: 'ed25519', privateKey };
}

/** RFC 9530: `sha-256=:<base64>:` of the exact body bytes. */
export function contentDigest(body: string | Buffer): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/** Signature parameters in a fixed order; undefined ones are left out. */
export function signatureParams(p: { created?: number | undefined; expires?: number | undefined; keyid?: string | undefined; alg?: string | undefined; nonce?: string | undefined }): string {
  let out = '';
  if (p.created !== undefined) out += `;created=${p.created}`;
  if (p.expires !== undefined) out += `;expires=${p.expires}`;
  if (p.keyid !== undefined) out += `;keyid="${p.keyid}"`;
  if (p.alg !== undefined) out += `;alg="${p.alg}"`;
  if (p.nonce !== undefined) out += `;nonce="${p.nonce}"`;
  return out;
}

/**
 * One covered component's value, derived by hand from the URL exactly as sent
 * (RFC 9421 §2.2); a header the request lacks signs as the empty string, so a
 * test can cover it anyway.
 */
function componentValue(name: string, method: string, url: URL, headers: Record<string, string>): string {
  switch (name) {
    case '@method':
      return method;
    case '@target-uri':
      return url.href;
    case '@authority':
      return url.host.toLowerCase();
    case '@scheme':
      return url.protocol.slice(0, -1);
    case '@path':
      return url.pathname === '' ? '/' : url.pathname;
    case '@query':
      return url.search === '' ? '?' : url.search;
    case '@request-target':
      return url.pathname + url.search;
    default:
      return (headers[name] ?? '').trim();
  }
}

export interface HandSignOptions {
  method: string;
  /** Absolute URL as the server receives it (scheme, host, port, /sandbox prefix, query). */
  url: string;
  /** The request's headers (lower-case names), for covered header components. */
  headers?: Record<string, string>;
  /** Covered components, in order. */
  components: string[];
  /** The parameters after the inner list, e.g. signatureParams({...}). */
  params: string;
  key: ClientSigningKey;
  label?: string;
  /** Replaces the inner list as written in Signature-Input (the signature base uses it too). */
  rawInnerList?: string;
}

/**
 * A hand-made RFC 9421 signature with node:crypto, so that tests can build
 * what no library would: missing components, odd parameters, wrong alg.
 */
export function handSign(options: HandSignOptions): { 'signature-input': string; signature: string } {
  const label = options.label ?? 'sig1';
  const url = new URL(options.url);
  const headers = options.headers ?? {};
  const inner = options.rawInnerList ?? `(${options.components.map((c) => `"${c}"`).join(' ')})${options.params}`;
  const lines = options.components.map((c) => `"${c}": ${componentValue(c, options.method, url, headers)}`);
  lines.push(`"@signature-params": ${inner}`);
  const base = Buffer.from(lines.join('\n'));
  const key = options.key;
  const signature = key.algorithm === 'hmac-sha256' ? createHmac('sha256', key.secret).update(base).digest() : ed25519Sign(null, base, key.privateKey);
  return { 'signature-input': `${label}=${inner}`, signature: `${label}=:${signature.toString('base64')}:` };
}

export interface LibrarySignOptions {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Defaults: @method, @target-uri, and content-digest when there is a body. */
  fields?: string[];
  key: ClientSigningKey;
  /** Unix seconds; defaults to the real clock (pass the server's when it is frozen). */
  created?: number;
  /** Makes the signature unique when everything else, `created` included, repeats. */
  nonce?: string;
}

/**
 * Signs with http-message-signatures, a library no one here wrote; adds
 * Content-Digest for a body (the library does not). Answers the headers to send.
 */
export async function librarySign(options: LibrarySignOptions): Promise<Record<string, string>> {
  const headers = { ...options.headers };
  const fields = [...(options.fields ?? ['@method', '@target-uri'])];
  if (options.body !== undefined) {
    headers['content-digest'] = contentDigest(options.body);
    if (!fields.includes('content-digest')) fields.push('content-digest');
  }
  const key = options.key;
  const signer = key.algorithm === 'hmac-sha256' ? createSigner(key.secret, 'hmac-sha256', key.keyId) : createSigner(key.privateKey, 'ed25519', key.keyId);
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const signed = await httpbis.signMessage(
    {
      key: signer,
      fields,
      params: ['keyid', 'alg', 'created', 'expires', ...(options.nonce === undefined ? [] : ['nonce'])],
      paramValues: { created: new Date(created * 1000), expires: new Date((created + 300) * 1000), ...(options.nonce !== undefined && { nonce: options.nonce }) },
    },
    { method: options.method, url: options.url, headers },
  );
  return signed.headers as Record<string, string>;
}
