import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'mk1';

export interface MasterKey {
  id: string;
  key: Buffer;
}

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 10);
}

export function parseMasterKey(text: string, source: string): MasterKey {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`${source}: a master key must be ${KEY_BYTES} bytes in base64 (generate one with: openssl rand -base64 32)`);
  }
  return { id: masterKeyId(key), key };
}

export function generateMasterKey(): MasterKey {
  const key = randomBytes(KEY_BYTES);
  return { id: masterKeyId(key), key };
}

/**
 * AES-256-GCM under the current master key; older keys stay readable so a
 * rotation can re-encrypt at its own pace. Ciphertext format:
 * `mk1.<key id>.<base64url(nonce | ciphertext | tag)>`. The associated data
 * binds a ciphertext to the row it belongs to, so it can't be swapped.
 */
export class UnknownMasterKeyError extends Error {}

export class MasterKeyring {
  private byId: Map<string, MasterKey>;

  constructor(
    private currentKey: MasterKey,
    older: MasterKey[] = [],
  ) {
    this.byId = new Map([currentKey, ...older].map((k) => [k.id, k]));
  }

  get current(): MasterKey {
    return this.currentKey;
  }

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  keyFor(id: string): Buffer {
    const key = this.byId.get(id);
    if (key === undefined) throw new UnknownMasterKeyError(`master key ${id} is not configured`);
    return key.key;
  }

  /** Takes the keys of a rotated configuration (another process rotated the key file). */
  replaceWith(other: MasterKeyring): void {
    this.currentKey = other.currentKey;
    this.byId = other.byId;
  }

  seal(plaintext: string | Buffer, associatedData: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `${FORMAT}.${this.current.id}.${body.toString('base64url')}`;
  }

  open(sealed: string, associatedData: string): Buffer {
    const [format, keyId, payload] = sealed.split('.');
    if (format !== FORMAT || keyId === undefined || payload === undefined) throw new Error('not a sealed value');
    const key = this.byId.get(keyId);
    if (key === undefined) throw new UnknownMasterKeyError(`sealed under master key ${keyId}, which is not configured`);
    const body = Buffer.from(payload, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key.key, body.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)), decipher.final()]);
  }

  sealedKeyId(sealed: string): string | undefined {
    return sealed.split('.')[1];
  }
}
