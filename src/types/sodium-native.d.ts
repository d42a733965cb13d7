// The part of sodium-native (libsodium bindings) that src/crypto/ed25519.ts uses; the package ships no types.
declare module 'sodium-native' {
  const sodium: {
    crypto_sign_PUBLICKEYBYTES: number;
    crypto_sign_SECRETKEYBYTES: number;
    crypto_sign_BYTES: number;
    sodium_malloc(size: number): Buffer;
    crypto_sign_seed_keypair(publicKey: Buffer, secretKey: Buffer, seed: Buffer): void;
    crypto_sign_detached(signature: Buffer, message: Buffer, secretKey: Buffer): void;
    crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
    crypto_core_ed25519_is_valid_point(point: Buffer): boolean;
  };
  export default sodium;
}
