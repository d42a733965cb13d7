import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64Matches, equalsInConstantTime } from '../../src/crypto/constant-time.js';

describe('equalsInConstantTime', () => {
  it('is true only for the same text', () => {
    const digest = createHmac('sha256', 'k').update('m').digest();
    for (const encoding of ['latin1', 'base64', 'hex'] as const) {
      const text = digest.toString(encoding);
      expect(equalsInConstantTime(text, digest.toString(encoding))).toBe(true);
      const other = Buffer.from(digest);
      other[31]! ^= 1;
      expect(equalsInConstantTime(text, other.toString(encoding)), encoding).toBe(false);
      expect(equalsInConstantTime(text, text.slice(0, -1)), encoding).toBe(false);
    }
    expect(equalsInConstantTime('', '')).toBe(true);
  });
});

describe('base64Matches', () => {
  it('is true for the same bytes, written canonically or with padding left out or other pad bits', () => {
    const canonical = Buffer.from('pretend').toString('base64');
    expect(canonical).toBe('cHJldGVuZA==');
    for (const same of ['cHJldGVuZA==', 'cHJldGVuZA', 'cHJldGVuZB==', 'cHJldGVuZP']) expect(base64Matches(same, canonical), same).toBe(true);
    for (const other of ['cHJldGVuZQ==', 'dHJldGVuZA==', 'cHJldGVu', '']) expect(base64Matches(other, canonical), other).toBe(false);
  });
});
