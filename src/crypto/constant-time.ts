/**
 * Whether two strings of one-byte characters (base64, hex, digests as
 * 'binary' strings, API keys) are equal, in time that depends on their
 * length only, never on where they differ; the length is public (a scheme's
 * MACs all have one, as do the keys of one format). A loop here rather than
 * `timingSafeEqual`: that needs both sides as Buffers, and making them costs
 * more than the comparison on every signed request.
 */
export function equalsInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * Whether a byte sequence received as base64 holds the bytes that `canonical`
 * (padded, zero pad bits: what Node writes) encodes. The exact text first;
 * RFC 8941 asks parsers to accept missing padding and non-zero pad bits,
 * which decoding and encoding again absorbs. Constant time in the contents.
 */
export function base64Matches(received: string, canonical: string): boolean {
  return equalsInConstantTime(received, canonical) || equalsInConstantTime(Buffer.from(received, 'base64').toString('base64'), canonical);
}
