import { base64Matches } from '../../crypto/constant-time.js';
import { checkContentDigest } from './content-digest.js';
import { failure, type SignatureFailure, type SignedMessage, type VerificationKey } from './signed-message.js';
import { parseByteSequenceDictionary, parseSignatureInput, StructuredFieldError, type InnerList } from './structured-fields.js';

/**
 * Remembers signatures seen inside the tolerance window; answers true for a
 * repeat. A signature is given as the canonical base64 (padded, zero pad bits)
 * of its verified bytes, so one written as other base64 is the same signature.
 */
export interface ReplayGuard {
  seenBefore(signature: string, forgetAfter: number): boolean;
}

export interface VerifyOptions {
  /** Seconds since the epoch. */
  now: number;
  toleranceSeconds: number;
  replay: ReplayGuard;
}

const DEFAULT_PORTS: Record<string, string> = { http: ':80', https: ':443' };

function targetUri(m: SignedMessage): string {
  return `${m.scheme}://${m.authority}${m.path}${m.query === null ? '' : `?${m.query}`}`;
}

// The components a signature must cover, as bits: one pass over the covered list sets them.
const METHOD = 1;
const TARGET_URI = 2;
const AUTHORITY = 4;
const PATH = 8;
const QUERY = 16;
const REQUEST_TARGET = 32;
const CONTENT_DIGEST = 64;

interface SignatureBase {
  /** The lines of the covered components (RFC 9421 §2.5), without the final `@signature-params` line. */
  lines: string;
  covered: number;
  /** The Content-Digest header as received, when covered and present. */
  contentDigest: string | undefined;
  /** The first component, in covered order, that can't be given a value. */
  problem: SignatureFailure | null;
}

/**
 * The signature base of the covered components (RFC 9421 §2), in one pass
 * that also notes which required components are covered: this runs on every
 * signed request.
 */
function signatureBase(items: readonly string[], m: SignedMessage): SignatureBase {
  let lines = '';
  let covered = 0;
  let contentDigest: string | undefined;
  let problem: SignatureFailure | null = null;
  for (const name of items) {
    let value: string | undefined;
    switch (name) {
      case '@method':
        covered |= METHOD;
        value = m.method;
        break;
      case '@target-uri':
        covered |= TARGET_URI;
        value = targetUri(m);
        break;
      case '@authority':
        covered |= AUTHORITY;
        value = m.authority.endsWith(DEFAULT_PORTS[m.scheme]!) ? m.authority.slice(0, -DEFAULT_PORTS[m.scheme]!.length) : m.authority;
        break;
      case '@scheme':
        value = m.scheme;
        break;
      case '@request-target':
        covered |= REQUEST_TARGET;
        value = `${m.path}${m.query === null ? '' : `?${m.query}`}`;
        break;
      case '@path':
        covered |= PATH;
        value = m.path === '' ? '/' : m.path;
        break;
      case '@query':
        covered |= QUERY;
        value = `?${m.query ?? ''}`;
        break;
      default: {
        if (name.startsWith('@')) {
          problem ??= failure('signature_malformed', `The derived component ${name} is not supported.`);
          continue;
        }
        const header = m.header(name);
        if (name === 'content-digest') {
          covered |= CONTENT_DIGEST;
          contentDigest = header;
        }
        if (header === undefined) {
          problem ??= failure('signature_missing_component', `The signature covers ${name} but the request has no such header.`);
          continue;
        }
        value = header.trim();
      }
    }
    lines += `"${name}": ${value}\n`;
  }
  return { lines, covered, contentDigest, problem };
}

/** The first requirement the covered components miss, or null: method, target, and the body through Content-Digest. */
function missingRequiredComponent(covered: number, m: SignedMessage): string | null {
  if ((covered & METHOD) === 0) return '@method';
  if ((covered & TARGET_URI) === 0) {
    if ((covered & AUTHORITY) === 0) return '@target-uri (or @authority, @path and @query)';
    if ((covered & (PATH | REQUEST_TARGET)) === 0) return '@path';
    if (m.query !== null && (covered & (QUERY | REQUEST_TARGET)) === 0) return '@query';
  }
  if (m.body !== null && m.body.length > 0 && (covered & CONTENT_DIGEST) === 0) return 'content-digest';
  return null;
}

function selectSignature(inputs: Map<string, InnerList>, keyId: string): { label: string; input: InnerList } | SignatureFailure {
  const keyIds: string[] = [];
  for (const [label, input] of inputs) {
    const kid = input.params.get('keyid');
    if (kid === keyId) return { label, input };
    if (typeof kid === 'string') keyIds.push(kid);
  }
  return failure(
    'signature_unknown_keyid',
    keyIds.length === 0
      ? `Signature-Input names no keyid: sign with keyid="${keyId}", the id of the key you authenticate with.`
      : `No signature in this request has keyid="${keyId}" (found ${keyIds.map((k) => JSON.stringify(k)).join(', ')}): the keyid must be the id of the key you authenticate with.`,
  );
}

/** The signature in canonical base64 when it verifies `base` under `key`; null when it does not. */
function verifiedSignature(base: string, received: string, key: VerificationKey): string | null {
  if (key.algorithm === 'hmac-sha256') {
    const expected = key.hmacKey!.digest(base, 'base64');
    return base64Matches(received, expected) ? expected : null;
  }
  const bytes = Buffer.from(received, 'base64');
  return key.publicKey!.verify(Buffer.from(base), bytes) ? bytes.toString('base64') : null;
}

/**
 * Verifies an RFC 9421 HTTP message signature made with `key`, as a chain of
 * steps each answering its own failure code:
 * https://www.rfc-editor.org/rfc/rfc9421#section-3.2
 */
export function verifyHttpMessageSignature(m: SignedMessage, key: VerificationKey, options: VerifyOptions): SignatureFailure | null {
  const inputHeader = m.header('signature-input');
  const signatureHeader = m.header('signature');
  if (inputHeader === undefined || signatureHeader === undefined) {
    return failure('signature_missing', `This key requires signed requests: send Signature-Input and Signature (RFC 9421, ${key.algorithm}, keyid="${key.keyId}").`);
  }
  let inputs: Map<string, InnerList>;
  let signatures: Map<string, string>;
  try {
    inputs = parseSignatureInput(inputHeader);
    signatures = parseByteSequenceDictionary(signatureHeader);
  } catch (error) {
    if (!(error instanceof StructuredFieldError)) throw error;
    return failure('signature_malformed', `Signature-Input or Signature is not a valid structured field (${error.message}).`);
  }
  const selected = selectSignature(inputs, key.keyId);
  if ('code' in selected) return selected;
  const { label, input } = selected;
  const signature = signatures.get(label);
  if (signature === undefined) return failure('signature_malformed', `Signature-Input has label ${label} but Signature has no value for it.`);
  if (input.itemHasParams) return failure('signature_malformed', 'Component parameters (;sf, ;key, ;bs, ;req, ;name) are not supported: cover plain components.');

  const alg = input.params.get('alg');
  if (alg !== undefined && alg !== key.algorithm) {
    return failure('signature_invalid', `alg="${String(alg)}" does not match this key, which signs with ${key.algorithm}.`);
  }

  const created = input.params.get('created');
  if (typeof created !== 'number') return failure('signature_created_out_of_window', 'Signature-Input has no created parameter: add created=<unix seconds>.');
  if (Math.abs(options.now - created) > options.toleranceSeconds) {
    return failure(
      'signature_created_out_of_window',
      `created=${created} is ${created < options.now ? 'older' : 'later'} than the ±${options.toleranceSeconds} s window around the server's time (${options.now}). Sign each request when you send it, with a synchronised clock.`,
    );
  }
  const expires = input.params.get('expires');
  if (typeof expires === 'number' && expires < options.now) {
    return failure('signature_created_out_of_window', `The signature expired at ${expires} (server time ${options.now}).`);
  }

  const base = signatureBase(input.items, m);
  const missing = missingRequiredComponent(base.covered, m);
  if (missing !== null) return failure('signature_missing_component', `The signature must cover ${missing}.`);

  if ((base.covered & CONTENT_DIGEST) !== 0) {
    if (base.contentDigest === undefined) return failure('signature_missing_component', 'The signature covers content-digest but the request has no Content-Digest header.');
    const digest = checkContentDigest(base.contentDigest, m.body ?? Buffer.alloc(0));
    if (digest !== 'ok') {
      const why = digest === 'mismatch' ? 'does not match the body received' : digest === 'unsupported' ? 'has no sha-256 or sha-512 digest' : 'is not a valid structured field';
      return failure('signature_content_digest_mismatch', `Content-Digest ${why}. Send sha-256=:<base64 SHA-256 of the exact body bytes>:.`);
    }
  }
  if (base.problem !== null) return base.problem;

  const verified = verifiedSignature(`${base.lines}"@signature-params": ${input.raw}`, signature, key);
  if (verified === null) {
    return failure('signature_invalid', 'The signature does not verify: the method, URL, covered headers or body differ from what was signed, or the wrong key was used.');
  }
  // Only a verified signature is remembered, so forgeries can't fill the cache.
  // In canonical form, not the header's text: base64 with other padding bits must not pass for a new signature.
  if (options.replay.seenBefore(verified, created + options.toleranceSeconds)) {
    return failure('signature_replayed', 'This exact signature was already used. Sign every request anew (a new created time gives a new signature).');
  }
  return null;
}
