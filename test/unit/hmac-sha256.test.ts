import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha256Key } from '../../src/crypto/hmac-sha256.js';

const hex = (binary: string) => Buffer.from(binary, 'latin1').toString('hex');
const reference = (key: Buffer, message: string | Buffer) => createHmac('sha256', key).update(message).digest('hex');

describe('HmacSha256Key', () => {
  // RFC 4231 §4: test cases 1, 2, 3, 4, 6 and 7 (5 is a truncated MAC).
  const vectors: Array<[string, Buffer, Buffer, string]> = [
    ['1', Buffer.alloc(20, 0x0b), Buffer.from('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    ['2', Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    ['3', Buffer.alloc(20, 0xaa), Buffer.alloc(50, 0xdd), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
    ['4', Buffer.from('0102030405060708090a0b0c0d0e0f10111213141516171819', 'hex'), Buffer.alloc(50, 0xcd), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
    ['6', Buffer.alloc(131, 0xaa), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
    [
      '7',
      Buffer.alloc(131, 0xaa),
      Buffer.from('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    ],
  ];
  it.each(vectors)('matches RFC 4231 test case %s', (_, key, data, expected) => {
    expect(hex(new HmacSha256Key(key).digest(data))).toBe(expected);
    if (data.every((b) => b < 0x80)) expect(hex(new HmacSha256Key(key).digest(data.toString('ascii')))).toBe(expected);
  });

  it('agrees with createHmac for any key and message, strings taken as UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.uint8Array({ maxLength: 400 })), (key, message) => {
        const k = Buffer.from(key);
        const m = typeof message === 'string' ? message : Buffer.from(message);
        expect(hex(new HmacSha256Key(k).digest(m))).toBe(reference(k, m));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers the same MAC as binary, base64 or hex', () => {
    const key = new HmacSha256Key(Buffer.from('tsr_signing_sandbox_example'));
    const expected = createHmac('sha256', 'tsr_signing_sandbox_example').update('message').digest();
    expect(key.digest('message')).toBe(expected.toString('latin1'));
    expect(key.digest('message', 'base64')).toBe(expected.toString('base64'));
    expect(key.digest('message', 'hex')).toBe(expected.toString('hex'));
  });

  it('agrees with createHmac at and beyond the reused buffer, one key across calls of every size', () => {
    const key = new HmacSha256Key(Buffer.from('tsr_signing_sandbox_example'));
    for (const size of [0, 1, 63, 64, 65, 5461, 5462, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 100_000]) {
      const bytes = randomBytes(size);
      const text = 'é'.repeat(size);
      expect(hex(key.digest(bytes)), `${size} bytes`).toBe(reference(Buffer.from('tsr_signing_sandbox_example'), bytes));
      expect(hex(key.digest(text)), `${size} characters`).toBe(reference(Buffer.from('tsr_signing_sandbox_example'), text));
    }
  });
});
