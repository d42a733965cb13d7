/**
 * Digest → credential snapshot, plus a bounded negative cache of digests that
 * matched nothing, so repeats of an unknown key never reach the database.
 * Invalidation is by credential id (a credential has several digests during a
 * roll's grace period) and bumps a generation so that a database read that
 * started before the invalidation can't put the stale record back.
 */
export class CredentialCache<Entry extends { credential: { id: string } }> {
  private readonly positive = new Map<string, Entry>();
  private readonly digestsByCredential = new Map<string, Set<string>>();
  private readonly negative = new Map<string, number>();
  private generation = 0;

  constructor(
    private readonly capacity: number,
    private readonly negativeCapacity: number,
    private readonly negativeTtlMs: number,
  ) {}

  get(digest: string): Entry | undefined {
    return this.positive.get(digest);
  }

  /** Any cached entry of this credential (access tokens name the credential, not a secret). */
  getByCredentialId(credentialId: string): Entry | undefined {
    const digests = this.digestsByCredential.get(credentialId);
    if (digests === undefined) return undefined;
    for (const digest of digests) return this.positive.get(digest);
    return undefined;
  }

  currentGeneration(): number {
    return this.generation;
  }

  set(digest: string, record: Entry, generationAtRead: number): void {
    if (generationAtRead !== this.generation) return;
    if (this.positive.size >= this.capacity) this.evictOldest();
    this.positive.set(digest, record);
    let digests = this.digestsByCredential.get(record.credential.id);
    if (digests === undefined) {
      digests = new Set();
      this.digestsByCredential.set(record.credential.id, digests);
    }
    digests.add(digest);
  }

  isKnownMissing(digest: string, now: number): boolean {
    const until = this.negative.get(digest);
    if (until === undefined) return false;
    if (until > now) return true;
    this.negative.delete(digest);
    return false;
  }

  setMissing(digest: string, now: number, generationAtRead: number): void {
    if (generationAtRead !== this.generation || this.negativeTtlMs === 0) return;
    if (this.negative.size >= this.negativeCapacity) {
      const oldest = this.negative.keys().next();
      if (!oldest.done) this.negative.delete(oldest.value);
    }
    this.negative.set(digest, now + this.negativeTtlMs);
  }

  invalidateCredential(credentialId: string): void {
    this.generation++;
    const digests = this.digestsByCredential.get(credentialId);
    if (digests === undefined) return;
    for (const digest of digests) this.positive.delete(digest);
    this.digestsByCredential.delete(credentialId);
  }

  /** Drops every entry the predicate picks (a change to an account touches all its keys). */
  invalidateWhere(pick: (entry: Entry) => boolean): void {
    this.generation++;
    for (const [digest, entry] of this.positive) {
      if (!pick(entry)) continue;
      this.positive.delete(digest);
      this.digestsByCredential.delete(entry.credential.id);
    }
  }

  clear(): void {
    this.generation++;
    this.positive.clear();
    this.digestsByCredential.clear();
    this.negative.clear();
  }

  get size(): number {
    return this.positive.size;
  }

  private evictOldest(): void {
    const oldest = this.positive.entries().next();
    if (oldest.done) return;
    const [digest, record] = oldest.value;
    this.positive.delete(digest);
    const digests = this.digestsByCredential.get(record.credential.id);
    digests?.delete(digest);
    if (digests?.size === 0) this.digestsByCredential.delete(record.credential.id);
  }
}
