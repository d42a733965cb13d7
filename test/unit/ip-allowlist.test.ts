import { describe, expect, it } from 'vitest';
import { addressWords, InvalidCidrError, IpAllowlist, normalizeAllowedIps, parseCidr } from '../../src/domain/ip-allowlist.js';

const allows = (cidrs: string[], address: string) => IpAllowlist.parse(cidrs).allows(address);

describe('IP allowlist', () => {
  describe('IPv4', () => {
    it('matches a single address and /32 exactly', () => {
      for (const cidr of ['203.0.113.9', '203.0.113.9/32']) {
        expect(allows([cidr], '203.0.113.9')).toBe(true);
        expect(allows([cidr], '203.0.113.8')).toBe(false);
        expect(allows([cidr], '203.0.113.10')).toBe(false);
      }
    });

    it('matches ranges at every prefix length, host bits ignored', () => {
      expect(allows(['10.0.0.0/8'], '10.255.255.255')).toBe(true);
      expect(allows(['10.0.0.0/8'], '11.0.0.0')).toBe(false);
      expect(allows(['10.1.2.3/8'], '10.200.0.1')).toBe(true); // written with host bits: still 10/8
      expect(allows(['192.168.4.0/22'], '192.168.7.255')).toBe(true);
      expect(allows(['192.168.4.0/22'], '192.168.8.0')).toBe(false);
      expect(allows(['192.168.4.0/22'], '192.168.3.255')).toBe(false);
      expect(allows(['128.0.0.0/1'], '200.1.1.1')).toBe(true);
      expect(allows(['128.0.0.0/1'], '127.255.255.255')).toBe(false);
      expect(allows(['203.0.113.8/31'], '203.0.113.9')).toBe(true);
      expect(allows(['203.0.113.8/31'], '203.0.113.10')).toBe(false);
      // The top bit set: the masks are unsigned.
      expect(allows(['255.255.255.255/32'], '255.255.255.255')).toBe(true);
      expect(allows(['255.255.255.0/24'], '255.255.254.255')).toBe(false);
    });

    it('/0 allows every IPv4 address, and no IPv6 one', () => {
      for (const a of ['0.0.0.0', '127.0.0.1', '255.255.255.255', '::ffff:1.2.3.4']) expect(allows(['0.0.0.0/0'], a), a).toBe(true);
      expect(allows(['0.0.0.0/0'], '::1')).toBe(false);
      expect(allows(['0.0.0.0/0'], '2001:db8::1')).toBe(false);
    });

    it('any of several ranges', () => {
      const list = IpAllowlist.parse(['10.0.0.0/8', '192.0.2.1', '2001:db8::/32']);
      for (const a of ['10.9.9.9', '192.0.2.1', '2001:db8:1::1']) expect(list.allows(a), a).toBe(true);
      for (const a of ['192.0.2.2', '172.16.0.1', '2001:db9::1', '::1']) expect(list.allows(a), a).toBe(false);
    });
  });

  describe('IPv6', () => {
    it('matches /128 exactly, in any spelling', () => {
      for (const spelling of ['2001:db8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:DB8::1', '2001:db8:0:0::1']) {
        expect(allows(['2001:db8::1/128'], spelling), spelling).toBe(true);
        expect(allows([spelling], '2001:db8::1'), spelling).toBe(true);
      }
      expect(allows(['2001:db8::1/128'], '2001:db8::2')).toBe(false);
      expect(allows(['::1'], '::1')).toBe(true);
      expect(allows(['::1'], '::')).toBe(false);
    });

    it('matches prefixes that cross the 32-bit words', () => {
      expect(allows(['2001:db8::/32'], '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
      expect(allows(['2001:db8::/32'], '2001:db9::')).toBe(false);
      expect(allows(['2001:db8:abcd:12::/63'], '2001:db8:abcd:13:1::1')).toBe(true);
      expect(allows(['2001:db8:abcd:12::/63'], '2001:db8:abcd:14::1')).toBe(false);
      expect(allows(['fe80::/10'], 'febf::1')).toBe(true);
      expect(allows(['fe80::/10'], 'fec0::1')).toBe(false);
      expect(allows(['2001:db8::ff00/120'], '2001:db8::ffff')).toBe(true);
      expect(allows(['2001:db8::ff00/120'], '2001:db8::1:ff00')).toBe(false);
      expect(allows(['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128'], 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    });

    it('/0 allows every IPv6 address', () => {
      for (const a of ['::', '::1', '2001:db8::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']) expect(allows(['::/0'], a), a).toBe(true);
    });

    it('ignores a zone index on the client address', () => {
      expect(allows(['fe80::/10'], 'fe80::1%eth0')).toBe(true);
      expect(addressWords('fe80::1%eth0')).toEqual(addressWords('fe80::1'));
    });

    it('reads an embedded IPv4 tail', () => {
      expect(addressWords('64:ff9b::192.0.2.1')).toEqual({ v4: false, words: [0x0064ff9b, 0, 0, 0xc0000201] });
      expect(allows(['64:ff9b::/96'], '64:ff9b::192.0.2.1')).toBe(true);
    });
  });

  describe('IPv4-mapped IPv6 (what a dual-stack socket reports)', () => {
    it('counts as the IPv4 address, in every spelling', () => {
      for (const a of ['::ffff:127.0.0.1', '::FFFF:127.0.0.1', '0:0:0:0:0:ffff:127.0.0.1', '::ffff:7f00:1']) {
        expect(addressWords(a), a).toEqual({ v4: true, words: [0x7f000001] });
        expect(allows(['127.0.0.1/32'], a), a).toBe(true);
        expect(allows(['127.0.0.0/8'], a), a).toBe(true);
        expect(allows(['10.0.0.0/8'], a), a).toBe(false);
      }
    });

    it('a mapped range counts its prefix in IPv4 bits', () => {
      expect(allows(['::ffff:10.0.0.0/104'], '10.1.2.3')).toBe(true);
      expect(allows(['::ffff:10.0.0.0/104'], '11.1.2.3')).toBe(false);
      expect(allows(['::ffff:10.0.0.0/104'], '::ffff:10.1.2.3')).toBe(true);
      expect(allows(['::ffff:0:0/96'], '198.51.100.1')).toBe(true);
      expect(allows(['::ffff:192.0.2.1/128'], '192.0.2.1')).toBe(true);
      expect(allows(['::ffff:192.0.2.1/128'], '192.0.2.2')).toBe(false);
      expect(parseCidr('::ffff:10.0.0.0/104')).toMatchObject({ v4: true, words: [0x0a000000], masks: [0xff000000] });
    });

    it('a mapped address is not ::1 nor another IPv6 range', () => {
      expect(allows(['::1'], '::ffff:127.0.0.1')).toBe(false);
      expect(allows(['2001:db8::/32'], '::ffff:127.0.0.1')).toBe(false);
    });
  });

  describe('invalid input', () => {
    const invalid = [
      '',
      ' ',
      'localhost',
      'not-an-ip',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '010.0.0.1',
      '1.2.3.4/',
      '1.2.3.4/33',
      '1.2.3.4/-1',
      '1.2.3.4/1.5',
      '1.2.3.4/ 8',
      '1.2.3.4/8/8',
      '1.2.3.4/0x8',
      '::1/129',
      '::1/1000',
      '2001:db8:::1',
      '1:2:3:4:5:6:7:8:9',
      'gggg::1',
      '::ffff:10.0.0.0/64',
      '::ffff:10.0.0.0/95',
      '::ffff:999.0.0.1',
      '[::1]',
      '1.2.3.4:80',
      '*',
    ];

    it('refuses what is not an address or a range, with InvalidCidrError', () => {
      for (const text of invalid) expect(() => parseCidr(text), JSON.stringify(text)).toThrow(InvalidCidrError);
    });

    it('says what is wrong', () => {
      expect(() => parseCidr('localhost')).toThrow('"localhost" is not an IPv4 or IPv6 address or CIDR range');
      expect(() => parseCidr('10.0.0.0/33')).toThrow('"10.0.0.0/33" has an invalid prefix length: use 0-32');
      expect(() => parseCidr('::1/129')).toThrow('use 0-128');
      expect(() => parseCidr('::ffff:10.0.0.0/64')).toThrow('use 96-128');
    });

    it('an address nobody can parse is allowed by no list, and by an empty one', () => {
      for (const a of ['', 'garbage', '1.2.3.4:80', '[::1]', 'unknown']) {
        expect(allows(['0.0.0.0/0', '::/0'], a), a).toBe(false);
        expect(IpAllowlist.parse([]).allows(a)).toBe(true);
      }
      expect(addressWords('garbage')).toBeNull();
      expect(IpAllowlist.parse([]).isEmpty).toBe(true);
    });
  });

  describe('normalizeAllowedIps', () => {
    it('trims, keeps the order, drops repeats', () => {
      expect(normalizeAllowedIps([' 10.0.0.0/8', '10.0.0.0/8 ', '::1', '203.0.113.9'])).toEqual({ ok: true, cidrs: ['10.0.0.0/8', '::1', '203.0.113.9'] });
      expect(normalizeAllowedIps([])).toEqual({ ok: true, cidrs: [] });
    });

    it('reports the first bad entry by its index', () => {
      expect(normalizeAllowedIps(['10.0.0.0/8', '::1', 'nope', 'also bad'])).toMatchObject({ ok: false, index: 2, message: expect.stringContaining('"nope"') });
      expect(normalizeAllowedIps(['1.2.3.4/99'])).toMatchObject({ ok: false, index: 0 });
    });
  });
});
