import { generateKeyPairSync } from 'node:crypto';
import { Ed25519PrivateKey, Ed25519PublicKey } from '../../crypto/ed25519.js';
import type { MasterKeyring } from '../../crypto/master-key.js';
import { randomBase62 } from '../../domain/base62.js';
import { encodedHeader } from '../../domain/oauth/jwt.js';
import type { Store } from '../../storage/store.js';
import type { Unsealer } from '../auth-entry.js';

/** Change-feed id announcing that the set of token signing keys changed. */
export const SIGNING_KEYS_CHANGED = 'oauth:signing-keys';

export interface Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

interface PublishedKey {
  publicKey: Ed25519PublicKey;
  jwk: Jwk;
  retireAt: number | null;
}

interface CurrentKey {
  kid: string;
  header: string;
  privateKey: Ed25519PrivateKey;
}

export function signingKeyAad(kid: string): string {
  return `oauth-signing-key:${kid}`;
}

/**
 * The Ed25519 keys that sign access tokens. The newest is current; after a
 * rotation the older ones stay published (JWKS) and accepted until every
 * token they signed has expired, then disappear.
 */
export class TokenSigningKeys {
  private published = new Map<string, PublishedKey>();
  private current: CurrentKey | null = null;

  constructor(
    private readonly store: Store,
    private readonly keyring: MasterKeyring,
    private readonly unseal: Unsealer,
    /** Longest token lifetime plus leeway: how long a replaced key must stay published. */
    private readonly retireAfterMs: number,
    private readonly now: () => number,
  ) {}

  /** Reads the published keys; makes the first one on an empty database. */
  async load(): Promise<void> {
    let rows = await this.store.oauthSigningKeys.listPublished(this.now());
    if (!rows.some((r) => r.retire_at === null)) {
      await this.create();
      rows = await this.store.oauthSigningKeys.listPublished(this.now());
    }
    const published = new Map<string, PublishedKey>();
    for (const row of rows) {
      published.set(row.kid, {
        publicKey: Ed25519PublicKey.fromBase64(row.public_key),
        jwk: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(row.public_key, 'base64').toString('base64url'), kid: row.kid, alg: 'EdDSA', use: 'sig' },
        retireAt: row.retire_at,
      });
    }
    const newest = rows.find((r) => r.retire_at === null)!;
    if (this.current?.kid !== newest.kid) {
      const der = this.unseal(newest.private_key_sealed, signingKeyAad(newest.kid));
      this.current = { kid: newest.kid, header: encodedHeader(newest.kid), privateKey: Ed25519PrivateKey.fromPkcs8(der) };
    }
    this.published = published;
  }

  /** A new current key; the others are published until their last token expires. Answers the new key id. */
  async rotate(): Promise<string> {
    const kid = await this.create();
    await this.store.transaction(async (tx) => {
      await tx.oauthSigningKeys.retireAllExcept(kid, this.now() + this.retireAfterMs);
      await tx.credentialChanges.record(SIGNING_KEYS_CHANGED, this.now());
    });
    await this.load();
    return kid;
  }

  signer(): CurrentKey {
    if (this.current === null) throw new TypeError('token signing keys used before load()');
    return this.current;
  }

  publicKeyFor(kid: string): Ed25519PublicKey | undefined {
    const key = this.published.get(kid);
    if (key === undefined || (key.retireAt !== null && key.retireAt <= this.now())) return undefined;
    return key.publicKey;
  }

  jwks(): { keys: Jwk[] } {
    const now = this.now();
    return { keys: [...this.published.values()].filter((k) => k.retireAt === null || k.retireAt > now).map((k) => k.jwk) };
  }

  private async create(): Promise<string> {
    const kid = randomBase62(16);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const rawPublic = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    await this.store.oauthSigningKeys.insert({
      kid,
      private_key_sealed: this.keyring.seal(privateKey.export({ format: 'der', type: 'pkcs8' }), signingKeyAad(kid)),
      public_key: rawPublic.toString('base64'),
      created_at: this.now(),
      retire_at: null,
    });
    return kid;
  }
}
