import { parseIPv4, parseIPv6Groups } from './ip-address.js';

/**
 * CIDR allowlists, IPv4 and IPv6. Addresses are compared as numbers: IPv4 as
 * one 32-bit integer, IPv6 as four; an IPv4-mapped IPv6 address
 * (::ffff:192.0.2.1, what a dual-stack socket reports) matches IPv4 ranges.
 */
export interface ParsedCidr {
  v4: boolean;
  /** Network words: one for IPv4, four for IPv6, already masked. */
  words: number[];
  masks: number[];
  text: string;
}

export class InvalidCidrError extends Error {}

type AddressWords = { v4: boolean; words: number[] };

// Requests come from few addresses (keep-alive connections, a handful of servers): the last one
// parsed is very likely the next, and parsing an IPv6 text costs microseconds.
let lastAddress = '';
let lastWords: AddressWords | null = null;

/** An address as words to compare: IPv4 (and IPv4-mapped IPv6) as one word. Callers must not change the answer. */
export function addressWords(address: string): AddressWords | null {
  if (address === lastAddress) return lastWords;
  const words = parseAddress(address);
  lastAddress = address;
  lastWords = words;
  return words;
}

function parseAddress(address: string): AddressWords | null {
  // What a dual-stack socket reports for an IPv4 client: the IPv4 part alone decides.
  if (address.startsWith('::ffff:') && address.includes('.')) {
    const mapped = parseIPv4(address.slice(7));
    if (mapped !== null) return { v4: true, words: [mapped] };
  }
  const v4 = parseIPv4(address);
  if (v4 !== null) return { v4: true, words: [v4] };
  const groups = parseIPv6Groups(address);
  if (groups === null) return null;
  const words = [0, 1, 2, 3].map((i) => ((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0);
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return { v4: true, words: [words[3]!] };
  return { v4: false, words };
}

function maskWords(prefix: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => {
    const bits = Math.max(0, Math.min(32, prefix - 32 * i));
    return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  });
}

export function parseCidr(text: string): ParsedCidr {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const address = addressWords(addressText);
  if (address === null) throw new InvalidCidrError(`"${text}" is not an IPv4 or IPv6 address or CIDR range`);
  const max = address.v4 ? 32 : 128;
  // An IPv4-mapped IPv6 range is written with a /96+ prefix; count it in IPv4 bits.
  const mapped = address.v4 && addressText.includes(':');
  let prefix = max;
  if (slash !== -1) {
    const prefixText = trimmed.slice(slash + 1);
    prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (mapped) prefix -= 96;
    if (!(prefix >= 0 && prefix <= max)) throw new InvalidCidrError(`"${text}" has an invalid prefix length: use ${mapped ? '96-128' : `0-${max}`}`);
  }
  const masks = maskWords(prefix, address.words.length);
  return { v4: address.v4, words: address.words.map((w, i) => (w & masks[i]!) >>> 0), masks, text: trimmed };
}

export class IpAllowlist {
  private readonly v4Networks: Uint32Array;
  private readonly v4Masks: Uint32Array;
  private readonly v6: ParsedCidr[];

  constructor(readonly cidrs: readonly ParsedCidr[]) {
    const v4 = cidrs.filter((c) => c.v4);
    this.v4Networks = Uint32Array.from(v4.map((c) => c.words[0]!));
    this.v4Masks = Uint32Array.from(v4.map((c) => c.masks[0]!));
    this.v6 = cidrs.filter((c) => !c.v4);
  }

  static parse(texts: readonly string[]): IpAllowlist {
    return new IpAllowlist(texts.map(parseCidr));
  }

  get isEmpty(): boolean {
    return this.cidrs.length === 0;
  }

  /** Empty allows everyone; an unparseable address is allowed by nothing. */
  allows(address: string): boolean {
    if (this.cidrs.length === 0) return true;
    const parsed = addressWords(address);
    if (parsed === null) return false;
    if (parsed.v4) {
      const a = parsed.words[0]!;
      for (let i = 0; i < this.v4Networks.length; i++) if (((a & this.v4Masks[i]!) >>> 0) === this.v4Networks[i]) return true;
      return false;
    }
    return this.v6.some((c) => c.words.every((w, i) => ((parsed.words[i]! & c.masks[i]!) >>> 0) === w));
  }
}

export const MAX_ALLOWED_IPS = 1000;

/** Each entry parsed (so a bad one is reported by position) and written canonically. */
export function normalizeAllowedIps(entries: readonly string[]): { ok: true; cidrs: string[] } | { ok: false; index: number; message: string } {
  const cidrs: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    try {
      cidrs.push(parseCidr(entries[i]!).text);
    } catch (error) {
      if (error instanceof InvalidCidrError) return { ok: false, index: i, message: error.message };
      throw error;
    }
  }
  return { ok: true, cidrs: [...new Set(cidrs)] };
}
