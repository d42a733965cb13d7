/**
 * CRC-32 (IEEE 802.3, as zlib computes it) of an ASCII string, in plain
 * JavaScript: for a 45-character key this is several times cheaper than
 * crossing into zlib with a string that must first become a buffer.
 */
export const CRC32_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 of the first `length` characters of `text`, which must be ASCII. */
export function crc32Ascii(text: string, length = text.length): number {
  let crc = -1;
  for (let i = 0; i < length; i++) crc = CRC32_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
