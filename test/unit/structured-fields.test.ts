import { describe, expect, it } from 'vitest';
import { parseByteSequenceDictionary, parseSignatureInput, StructuredFieldError } from '../../src/domain/signatures/structured-fields.js';

// The RFC 8941 subset that signature headers use: dictionaries of inner lists
// of strings with parameters (Signature-Input, RFC 9421) and dictionaries of
// byte sequences (Signature; Content-Digest, RFC 9530).
describe('structured fields', () => {
  describe('Signature-Input: dictionary of inner lists', () => {
    it('reads the RFC 9421 §2.5 / §3.2 example', () => {
      const member = '("@method" "@authority" "@path" "content-digest" "content-length" "content-type");created=1618884473;keyid="test-key-rsa-pss"';
      const parsed = parseSignatureInput(`sig1=${member}`);
      expect([...parsed.keys()]).toEqual(['sig1']);
      const sig1 = parsed.get('sig1')!;
      expect(sig1.items).toEqual(['@method', '@authority', '@path', 'content-digest', 'content-length', 'content-type']);
      expect(sig1.itemHasParams).toBe(false);
      expect(sig1.params.names).toEqual(['created', 'keyid']);
      expect(sig1.params.values).toEqual([1618884473, 'test-key-rsa-pss']);
      expect(sig1.params.get('created')).toBe(1618884473);
      expect(sig1.params.get('alg')).toBeUndefined();
      // The signature base repeats the member exactly as received.
      expect(sig1.raw).toBe(member);
    });

    it('reads several members, with RFC 8941 whitespace around commas', () => {
      const parsed = parseSignatureInput('  sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd" ,\tsig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-ecc-p256";tag="sig-b22"');
      expect([...parsed.keys()]).toEqual(['sig-b21', 'sig-b22']);
      expect(parsed.get('sig-b21')!.items).toEqual([]);
      expect(parsed.get('sig-b21')!.params.get('nonce')).toBe('b3k2pp5k7z-50gnwp.yemd');
      const b22 = parsed.get('sig-b22')!;
      expect(b22.items).toEqual(['@authority', 'content-digest', '@query-param']);
      // A component with its own parameters is flagged (Tessera refuses it later).
      expect(b22.itemHasParams).toBe(true);
      expect(b22.params.get('tag')).toBe('sig-b22');
    });

    it('reads every bare item type as a parameter value', () => {
      const { params } = parseSignatureInput('a=();int=-42;zero=0;big=999999999999999;str="q\\"uo\\\\te";tok=hmac-sha256;tok2=*foo/bar:baz;t=?1;f=?0;flag;bytes=:cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:').get('a')!;
      expect(params.get('int')).toBe(-42);
      expect(params.get('zero')).toBe(0);
      expect(params.get('big')).toBe(999999999999999);
      expect(params.get('str')).toBe('q"uo\\te');
      expect(params.get('tok')).toBe('hmac-sha256');
      expect(params.get('tok2')).toBe('*foo/bar:baz');
      expect(params.get('t')).toBe(true);
      expect(params.get('f')).toBe(false);
      expect(params.get('flag')).toBe(true);
      expect((params.get('bytes') as Buffer).toString('utf8')).toBe('pretend this is binary content.');
    });

    it('allows spaces inside the inner list and after ;', () => {
      const parsed = parseSignatureInput('sig1=(  "@method"   "@target-uri" );  created=1').get('sig1')!;
      expect(parsed.items).toEqual(['@method', '@target-uri']);
      expect(parsed.params.get('created')).toBe(1);
    });

    it('a repeated key: the last one wins (RFC 8941 §4.2.2)', () => {
      const parsed = parseSignatureInput('sig1=("@method"), sig1=("@path")');
      expect(parsed.size).toBe(1);
      expect(parsed.get('sig1')!.items).toEqual(['@path']);
    });

    it('an empty field is an empty dictionary', () => {
      expect(parseSignatureInput('').size).toBe(0);
      expect(parseSignatureInput('   ').size).toBe(0);
    });

    const malformed = [
      'garbage',
      'sig1',
      'sig1=',
      'sig1=garbage',
      'sig1="@method"',
      'sig1=("@method"',
      'sig1=("@method" "@path"',
      'sig1=(@method)',
      'sig1=(1 2)',
      'sig1=(:AAAA:)',
      'sig1=(?1)',
      'sig1=("a""b")',
      'sig1=("a"x)',
      'sig1=("@method");created=1.5',
      'sig1=("@method");created=1e5',
      'sig1=("@method");created=9999999999999999',
      'sig1=("@method");created=-',
      'sig1=("@method");created=--1',
      'sig1=("@method");created=1234567890123456',
      'sig1=("@method");s="end\\',
      'sig1=("@method");t=h\u00e9',
      'sig1=("@method");=1',
      'sig1=("@method");Created=1',
      'sig1=("@method");created=1;created=2',
      'sig1=("@method");t=?2',
      'sig1=("@method");s="unterminated',
      'sig1=("@method");s="bad \\x escape"',
      'sig1=("@method");s="tab\tinside"',
      'sig1=("@method");s="café"',
      'sig1=("@method");b=:not base64!:',
      'sig1=("@method");b=:AAAA',
      'sig1=("@method"),',
      'sig1=("@method"), ',
      'sig1=("@method") sig2=("@path")',
      'sig1=("@method");created=1 x',
      'Sig1=("@method")',
      '1sig=("@method")',
      '=("@method")',
      '-sig=("@method")',
      'sig1=("@method")"',
    ];

    it('refuses malformed input with StructuredFieldError', () => {
      for (const text of malformed) expect(() => parseSignatureInput(text), JSON.stringify(text)).toThrow(StructuredFieldError);
    });

    it('takes the 256 parameters RFC 8941 asks parsers to support, and refuses more', () => {
      const params = (n: number) => Array.from({ length: n }, (_, i) => `;p${i}=${i}`).join('');
      const parsed = parseSignatureInput(`sig1=("@method")${params(256)}`).get('sig1')!;
      expect(parsed.params.names).toHaveLength(256);
      expect(parsed.params.get('p255')).toBe(255);
      expect(() => parseSignatureInput(`sig1=("@method")${params(257)}`)).toThrow(/more than 256 parameters/);
    });
  });

  describe('Signature and Content-Digest: dictionary of byte sequences', () => {
    it('reads the RFC 9530 examples', () => {
      const parsed = parseByteSequenceDictionary('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:');
      expect(Buffer.from(parsed.get('sha-256')!, 'base64').toString('hex')).toBe('5f8f04f6a3a892aaabbddb6cf273894493773960d4a325b105fee46eef4304f1');
      const both = parseByteSequenceDictionary(
        'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
      );
      expect([...both.keys()]).toEqual(['sha-512', 'sha-256']);
      expect(Buffer.from(both.get('sha-512')!, 'base64').length).toBe(64);
    });

    it('reads RFC 8941 byte sequences, padded or not, empty, with ignored parameters', () => {
      const parsed = parseByteSequenceDictionary('da=:w4ZibGV0w6ZydGUK:, nopad=:cHJldGVuZA:, empty=::, sig1=:AQID:;keyid="x";n=1');
      // The base64 text as sent: compared, not decoded, on the hot path.
      expect([...parsed.values()]).toEqual(['w4ZibGV0w6ZydGUK', 'cHJldGVuZA', '', 'AQID']);
      expect(Buffer.from(parsed.get('da')!, 'base64').toString('utf8')).toBe('Æbletærte\n');
    });


    const malformed = ['sig1=:AAA===:', 'sig1=:A=A=:', 'sig1=:AA\u00e9=:', 'sig1', 'sig1=', 'sig1=abc', 'sig1="abc"', 'sig1=(:AA==:)', 'sig1=:AAAA', 'sig1=:AA==AA:', 'sig1=:A A=:', 'sig1=:AA==:,', 'sig1=:AA==: sig2=:AA==:', 'sig1=:AA==:x', 'SIG=:AA==:', ':AA==:', 'sha-256=:****:', 'sig1=:AA==:;=1'];

    it('refuses malformed input with StructuredFieldError', () => {
      for (const text of malformed) expect(() => parseByteSequenceDictionary(text), JSON.stringify(text)).toThrow(StructuredFieldError);
    });

    it('never throws anything else, whatever the bytes', () => {
      const samples = ['\u0000', '\uffff', '😀=:AA==:', 'a=:😀:', 'a=("x")', 'a=:AA==:;b=("c")', 'a=:AA==:;b', ','.repeat(100), '='.repeat(100), ':'.repeat(100)];
      for (const text of samples) {
        for (const parse of [parseByteSequenceDictionary, parseSignatureInput]) {
          try {
            parse(text);
          } catch (error) {
            expect(error, JSON.stringify(text)).toBeInstanceOf(StructuredFieldError);
          }
        }
      }
    });
  });
});
