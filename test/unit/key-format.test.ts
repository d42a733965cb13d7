import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET, base62Bits } from '../../src/domain/base62.js';
import { CHECKSUM_LENGTH, generateSecret, parseSecret, RANDOM_LENGTH, type SecretKind } from '../../src/domain/key-format.js';

const KINDS: Array<[SecretKind, string]> = [
  ['secret', 'sk'],
  ['restricted', 'rk'],
  ['publishable', 'pk'],
  ['client', 'cc'],
  ['client_secret', 'cs'],
];

function randomPart(secret: string): string {
  return secret.slice(secret.lastIndexOf('_') + 1, secret.length - CHECKSUM_LENGTH);
}

describe('key format', () => {
  it('is {brand}_{kind}_{env}_{random}{checksum} for every kind and environment', () => {
    for (const [kind, code] of KINDS) {
      for (const env of ['sandbox', 'live'] as const) {
        const secret = generateSecret('tsr', kind, env);
        expect(secret).toMatch(new RegExp(`^tsr_${code}_${env}_[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`));
        const parsed = parseSecret(secret, 'tsr');
        expect(parsed).toEqual({ brand: 'tsr', kind, environment: env, prefix: `tsr_${code}_${env}_` });
      }
    }
  });

  it('carries at least 192 random bits: 33 base62 characters, all different across keys', () => {
    expect(RANDOM_LENGTH).toBeGreaterThanOrEqual(33);
    expect(base62Bits(RANDOM_LENGTH)).toBeGreaterThanOrEqual(192);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const random = randomPart(generateSecret('tsr', 'secret', 'live'));
      expect(random).toHaveLength(RANDOM_LENGTH);
      seen.add(random);
    }
    expect(seen.size).toBe(1000);
  });

  it('draws characters uniformly from the whole base62 alphabet', () => {
    const counts = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < 2000; i++) {
      for (const c of randomPart(generateSecret('tsr', 'secret', 'sandbox'))) {
        counts.set(c, (counts.get(c) ?? 0) + 1);
        total++;
      }
    }
    expect(counts.size).toBe(62);
    const expected = total / 62;
    for (const c of BASE62_ALPHABET) {
      // 66,000 draws, ~1,065 per character: a biased generator (e.g. modulo bias on 256) misses these bounds.
      expect(counts.get(c)!).toBeGreaterThan(expected * 0.8);
      expect(counts.get(c)!).toBeLessThan(expected * 1.2);
    }
  });

  it('detects every single-character substitution in the random part and the checksum', () => {
    for (let sample = 0; sample < 20; sample++) {
      const secret = generateSecret('tsr', sample % 2 === 0 ? 'secret' : 'restricted', sample % 3 === 0 ? 'live' : 'sandbox');
      const tailStart = secret.lastIndexOf('_') + 1;
      for (let i = tailStart; i < secret.length; i++) {
        for (const c of BASE62_ALPHABET) {
          if (c === secret[i]) continue;
          const typo = secret.slice(0, i) + c + secret.slice(i + 1);
          expect(parseSecret(typo, 'tsr'), `${typo} (position ${i})`).toBe('bad_checksum');
        }
      }
    }
  });

  it('detects every adjacent transposition of different characters', () => {
    for (let sample = 0; sample < 200; sample++) {
      const secret = generateSecret('tsr', 'secret', 'live');
      const tailStart = secret.lastIndexOf('_') + 1;
      for (let i = tailStart; i < secret.length - 1; i++) {
        if (secret[i] === secret[i + 1]) continue;
        const swapped = secret.slice(0, i) + secret[i + 1] + secret[i] + secret.slice(i + 2);
        expect(parseSecret(swapped, 'tsr'), swapped).toBe('bad_checksum');
      }
    }
  });

  it('returns malformed for the wrong brand, kind, environment, length or alphabet', () => {
    const secret = generateSecret('tsr', 'secret', 'live');
    const tail = secret.slice('tsr_sk_live_'.length);
    const cases = [
      '',
      'tsr',
      'not-a-key',
      `xyz_sk_live_${tail}`,
      `tsrx_sk_live_${tail}`,
      `TSR_sk_live_${tail}`,
      `tsr_xx_live_${tail}`,
      `tsr_SK_live_${tail}`,
      `tsr_sk_prod_${tail}`,
      `tsr_sk_test_${tail}`,
      `tsr_sk_Live_${tail}`,
      `tsr_sk_live${tail}`,
      `tsr-sk-live-${tail}`,
      secret.slice(0, -1),
      `${secret}A`,
      `${secret.slice(0, 20)}-${secret.slice(21)}`,
      `${secret.slice(0, 20)}_${secret.slice(21)}`,
      `${secret.slice(0, 20)}é${secret.slice(21)}`,
      `${secret.slice(0, 20)} ${secret.slice(21)}`,
      ` ${secret.slice(1)}`,
      `tsr_sk_live_${'!'.repeat(tail.length)}`,
      `tsr_sk_sandbox_${tail.slice(3)}`,
    ];
    for (const text of cases) expect(parseSecret(text, 'tsr'), JSON.stringify(text)).toBe('malformed');
    // A key of one brand is not a key of another.
    expect(parseSecret(secret, 'ansa')).toBe('malformed');
  });

  it('uses a configured brand: ansa gives ansa_sk_live_…', () => {
    const secret = generateSecret('ansa', 'secret', 'live');
    expect(secret).toMatch(/^ansa_sk_live_[0-9A-Za-z]{39}$/);
    expect(parseSecret(secret, 'ansa')).toMatchObject({ brand: 'ansa', kind: 'secret', environment: 'live', prefix: 'ansa_sk_live_' });
    expect(parseSecret(secret, 'tsr')).toBe('malformed');
    const publishable = generateSecret('ansa', 'publishable', 'sandbox');
    expect(publishable.startsWith('ansa_pk_sandbox_')).toBe(true);
    expect(parseSecret(publishable, 'ansa')).toMatchObject({ kind: 'publishable', environment: 'sandbox' });
  });
});
