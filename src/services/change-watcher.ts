import pg from 'pg';
import type { OpenedDatabase } from '../storage/database.js';
import type { CredentialChangesRepository } from '../storage/credential-changes-repository.js';
import { CHANGE_CHANNEL } from '../storage/store.js';

/**
 * Follows the credential change feed so that a change committed by another
 * process (the CLI, another node) drops the credential from this process's
 * cache. SQLite: `PRAGMA data_version` tells, every few milliseconds, whether
 * another connection committed. PostgreSQL: LISTEN/NOTIFY, with a poll as a
 * safety net when the listening connection drops. The CLI also nudges local
 * servers through their control socket and waits, so its change is in force
 * before it exits.
 */
export class ChangeWatcher {
  private lastSeq = 0;
  private timer: NodeJS.Timeout | null = null;
  private listener: pg.Client | null = null;
  private syncing: Promise<void> | null = null;
  private again = false;
  private lastDataVersion = -1;
  private stopped = false;

  constructor(
    private readonly opened: OpenedDatabase,
    private readonly changes: CredentialChangesRepository,
    /** May answer a promise (reloading signing keys): the sync, and so a nudge, waits for it. */
    private readonly onChange: (credentialId: string) => void | Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly pollMs = { sqlite: 25, postgres: 500 },
  ) {}

  async start(): Promise<void> {
    this.lastSeq = await this.changes.latestSeq();
    if (this.opened.sqlite !== null) {
      const version = this.opened.sqlite.prepare('PRAGMA data_version').pluck();
      this.lastDataVersion = version.get() as number;
      this.timer = setInterval(() => {
        const current = version.get() as number;
        if (current !== this.lastDataVersion) {
          this.lastDataVersion = current;
          this.sync().catch(this.onError);
        }
      }, this.pollMs.sqlite);
    } else {
      await this.listen();
      this.timer = setInterval(() => this.sync().catch(this.onError), this.pollMs.postgres);
    }
    this.timer.unref();
  }

  /** Reads every change since the last one seen; concurrent calls coalesce. */
  sync(): Promise<void> {
    if (this.syncing !== null) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        const batch = await this.changes.since(this.lastSeq);
        for (const change of batch) {
          await this.onChange(change.credentialId);
          this.lastSeq = change.seq;
        }
      } while (this.again);
    })().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    const client = this.listener;
    this.listener = null;
    await client?.end().catch(() => {});
    await this.syncing?.catch(() => {});
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opened.postgresUrl! });
    client.on('notification', () => this.sync().catch(this.onError));
    client.on('error', (error) => {
      this.onError(error);
      if (this.listener === client) this.listener = null;
      // Reconnect; until then the poll keeps every change within its interval.
      if (!this.stopped) setTimeout(() => this.listen().catch(this.onError), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    this.listener = client;
    await this.sync();
  }
}
