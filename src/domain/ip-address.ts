import { isIPv4, isIPv6 } from 'node:net';

/** An IPv4 address in dotted text as one unsigned 32-bit number, or null. */
export function parseIPv4(text: string): number | null {
  if (!isIPv4(text)) return null;
  const parts = text.split('.');
  return ((Number(parts[0]) << 24) | (Number(parts[1]) << 16) | (Number(parts[2]) << 8) | Number(parts[3])) >>> 0;
}

/**
 * The eight 16-bit groups of an IPv6 address in text, or null: a zone id
 * (`%eth0`) is dropped, a dotted IPv4 tail (`::ffff:192.0.2.1`) becomes the
 * last two groups.
 */
export function parseIPv6Groups(text: string): number[] | null {
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  if (!isIPv6(address)) return null;
  let head = address;
  let tailV4: number | null = null;
  const lastColon = address.lastIndexOf(':');
  if (address.includes('.', lastColon)) {
    tailV4 = parseIPv4(address.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = `${address.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  const left = halves[0] === '' ? [] : halves[0]!.split(':');
  const right = halves.length > 1 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const fill = halves.length > 1 ? Math.max(0, 8 - left.length - right.length) : 0;
  const groups = [...left, ...new Array<string>(fill).fill('0'), ...right].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g) || g < 0 || g > 0xffff)) return null;
  if (tailV4 !== null) {
    groups[6] = tailV4 >>> 16;
    groups[7] = tailV4 & 0xffff;
  }
  return groups;
}
