import { parseIPv4, parseIPv6Groups } from './ip-address.js';

/**
 * What an IP address reaches, for refusing server-side request forgery:
 * webhook deliveries must not become a way to call the operator's own
 * network, the machine itself, or a cloud metadata service.
 *
 * - public: global unicast, the only class a live endpoint may resolve to;
 * - loopback: 127.0.0.0/8, ::1;
 * - private: RFC 1918, CGNAT 100.64.0.0/10, unique local fc00::/7, site-local
 *   fec0::/10, local-use NAT64 64:ff9b:1::/48;
 * - link_local: 169.254.0.0/16, fe80::/10;
 * - metadata: cloud instance metadata (169.254.169.254, fd00:ec2::254,
 *   Oracle's 192.0.0.192, Alibaba's 100.100.100.200);
 * - unspecified: 0.0.0.0/8, ::;
 * - multicast, and reserved: documentation, benchmarking, IETF and future
 *   ranges, broadcast, anything outside 2000::/3.
 *
 * IPv4 embedded in IPv6 (mapped ::ffff:0:0/96, compatible ::/96, NAT64
 * 64:ff9b::/96, 6to4 2002::/16) is classified by the IPv4 address it carries.
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link_local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '192.0.0.192', '100.100.100.200']);

function v4Text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function inV4(n: number, base: string, bits: number): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((n & mask) >>> 0) === parseIPv4(base);
}

function classifyV4(n: number): AddressClass {
  if (METADATA_V4.has(v4Text(n))) return 'metadata';
  if (inV4(n, '0.0.0.0', 8)) return 'unspecified';
  if (inV4(n, '127.0.0.0', 8)) return 'loopback';
  if (inV4(n, '10.0.0.0', 8) || inV4(n, '172.16.0.0', 12) || inV4(n, '192.168.0.0', 16) || inV4(n, '100.64.0.0', 10)) return 'private';
  if (inV4(n, '169.254.0.0', 16)) return 'link_local';
  if (inV4(n, '224.0.0.0', 4)) return 'multicast';
  if (
    inV4(n, '240.0.0.0', 4) || // future use and 255.255.255.255
    inV4(n, '192.0.0.0', 24) || // IETF protocol assignments
    inV4(n, '192.0.2.0', 24) ||
    inV4(n, '198.51.100.0', 24) ||
    inV4(n, '203.0.113.0', 24) || // documentation
    inV4(n, '198.18.0.0', 15) || // benchmarking
    inV4(n, '192.88.99.0', 24) // 6to4 relay anycast
  ) {
    return 'reserved';
  }
  return 'public';
}

function classifyV6(g: number[]): AddressClass {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  const embedded = ((g[6]! << 16) | g[7]!) >>> 0;
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g[7] === 1) return 'loopback';
  if (zeroUpTo(5) && g[5] === 0xffff) return classifyV4(embedded); // ::ffff:a.b.c.d
  if (zeroUpTo(6)) return classifyV4(embedded) === 'public' ? 'reserved' : classifyV4(embedded); // ::a.b.c.d (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0) return classifyV4(embedded); // NAT64
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'private'; // local-use NAT64
  if (g[0] === 0x2002) return classifyV4(((g[1]! << 16) | g[2]!) >>> 0); // 6to4
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254) return 'metadata'; // AWS IPv6 metadata
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private'; // fc00::/7
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link_local'; // fe80::/10
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private'; // fec0::/10, site-local
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x2001 && g[1]! < 0x0200) return 'reserved'; // 2001::/23 IETF, Teredo 2001::/32
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'reserved'; // documentation
  if (g[0] === 0x3fff && g[1]! < 0x1000) return 'reserved'; // documentation 3fff::/20
  if ((g[0]! & 0xe000) !== 0x2000) return 'reserved'; // outside 2000::/3 (incl. 100::/64 discard)
  return 'public';
}

/** The class of an IP address (IPv4 or IPv6 text), or null if it is not one. */
export function classifyAddress(address: string): AddressClass | null {
  const v4 = parseIPv4(address);
  if (v4 !== null) return classifyV4(v4);
  const groups = parseIPv6Groups(address);
  return groups === null ? null : classifyV6(groups);
}
