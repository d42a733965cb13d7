import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ed25519PrivateKey, Ed25519PublicKey } from '../../src/crypto/ed25519.js';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const rawPublic = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { node: { privateKey, publicKey }, ours: { privateKey: Ed25519PrivateKey.fromPkcs8(privateKey.export({ format: 'der', type: 'pkcs8' })), publicKey: new Ed25519PublicKey(rawPublic) } };
}

describe('Ed25519 through libsodium', () => {
  it('signs exactly as node:crypto does, and each verifies the other', () => {
    const { node, ours } = keyPair();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const message = Buffer.from(bytes);
        const signature = ours.privateKey.signBase64url(message);
        expect(signature).toBe(sign(null, message, node.privateKey).toString('base64url'));
        expect(verify(null, message, node.publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
        expect(ours.publicKey.verify(message, sign(null, message, node.privateKey))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a changed message, a changed signature, a signature of the wrong length and another key', () => {
    const { ours } = keyPair();
    const other = keyPair().ours;
    const message = Buffer.from('eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0');
    const signature = Buffer.from(ours.privateKey.signBase64url(message), 'base64url');
    expect(ours.publicKey.verify(message, signature)).toBe(true);
    expect(ours.publicKey.verify(Buffer.from('eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ5In0'), signature)).toBe(false);
    const flipped = Buffer.from(signature);
    flipped[10]! ^= 1;
    expect(ours.publicKey.verify(message, flipped)).toBe(false);
    expect(ours.publicKey.verify(message, signature.subarray(0, 63))).toBe(false);
    expect(ours.publicKey.verify(message, Buffer.concat([signature, Buffer.alloc(1)]))).toBe(false);
    expect(ours.publicKey.verify(message, Buffer.alloc(0))).toBe(false);
    expect(other.publicKey.verify(message, signature)).toBe(false);
  });

  it('takes only Ed25519 keys of the right size', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(() => Ed25519PrivateKey.fromPkcs8(ec)).toThrow(/Ed25519/);
    expect(() => new Ed25519PublicKey(randomBytes(31))).toThrow(/32 bytes/);
    const spki = createPublicKey(generateKeyPairSync('ed25519').privateKey).export({ format: 'der', type: 'spki' });
    expect(() => Ed25519PublicKey.fromBase64(spki.toString('base64'))).toThrow(/32 bytes/);
  });
});
