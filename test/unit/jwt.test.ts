import { describe, expect, it } from 'vitest';
import { looksLikeJwt } from '../../src/domain/oauth/jwt.js';

// The authenticator sends a Bearer value to the token verifier or the key
// cache by this test alone, so it must tell a compact JWS from anything else.
describe('looksLikeJwt', () => {
  it('accepts a compact JWS: a JSON header (eyJ…) and exactly three segments', () => {
    expect(looksLikeJwt('eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln')).toBe(true);
  });

  it('refuses API keys, other dotted values and the wrong number of segments', () => {
    for (const value of ['tsr_sk_sandbox_4eC39HqLyjWDarjtT1zdp7dc0Ab1', 'abc.def.ghi', 'eyJhbGci', 'eyJa.b', 'eyJa.b.c.d', '', '..', 'eyJ']) {
      expect(looksLikeJwt(value), value).toBe(false);
    }
  });

  it('leaves empty segments to the decoder, which refuses them as malformed', () => {
    expect(looksLikeJwt('eyJa..')).toBe(true);
  });
});
