import { Algorithm, hash, verify } from '@node-rs/argon2';

/**
 * argon2id with the library's defaults (OWASP's: 19 MiB, 2 passes, 1 lane),
 * hashed off the event loop. A sign-in for an unknown email verifies against a
 * dummy hash of the same cost, so timing does not tell which emails exist.
 */
export class PasswordHasher {
  private dummy: Promise<string> | null = null;

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: Algorithm.Argon2id });
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /** Spends the time of one verification, and answers false. */
  async verifyNobody(password: string): Promise<false> {
    this.dummy ??= this.hash('tessera-no-such-user-password');
    await this.verify(await this.dummy, password);
    return false;
  }
}
