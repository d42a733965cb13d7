import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';
import { redactionPaths } from './http/log-redaction.js';

/** Lines are handed to the operating system in writes of at least this many bytes… */
const BATCH_BYTES = 4096;
/** …or after this long, when traffic is too light to fill a batch. */
const FLUSH_INTERVAL_MS = 200;

/**
 * stdout, written in batches. pino's default writes every line on its own
 * (an fs.write through libuv's thread pool, with its thread hand-offs), and
 * with one access line per request that cost more than the rest of a cheap
 * request: the benchmark's open route answered about 21% more requests per
 * second with batches (docs/architecture.md). A line waits at most
 * FLUSH_INTERVAL_MS; pino writes what is left synchronously when the process
 * exits, an uncaught exception included. Only a kill -9 or a power loss can
 * drop the last moments of lines (the audit trail is in the database).
 */
export class BatchedStdout implements DestinationStream {
  private readonly sonic = pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES });
  /** Flushes still owed: two, because a flush while a write is in flight writes nothing, and the next tick must retry. */
  private owed = 0;
  private readonly timer = setInterval(() => this.tick(), FLUSH_INTERVAL_MS).unref();

  write(line: string): void {
    this.owed = 2;
    this.sonic.write(line);
  }

  /**
   * Writes out whatever is buffered now; pino's `logger.flush(callback)` calls
   * this with its callback, once the lines are written. SonicBoom then fsyncs,
   * which a pipe or a terminal refuses with EINVAL: nothing to sync, not a failure.
   */
  flush(callback?: (error?: Error) => void): void {
    if (callback === undefined) return void this.sonic.flush();
    this.sonic.flush((error) => callback((error as NodeJS.ErrnoException | undefined)?.code === 'EINVAL' ? undefined : error));
  }

  /** Writes out everything, blocking; for the moment before an exit. */
  flushSync(): void {
    this.sonic.flushSync();
  }

  /** Stops the timer and writes out the rest (if a write is in flight then, pino's exit hook writes what it held back). */
  end(): void {
    clearInterval(this.timer);
    if (this.owed > 0) this.sonic.flush();
    this.owed = 0;
  }

  private tick(): void {
    if (this.owed === 0) return;
    this.owed--;
    this.sonic.flush();
  }
}

export function createLogger(config: Pick<Config, 'logLevel' | 'apiKeyHeaders'>, stream: DestinationStream): Logger {
  return pino({ level: config.logLevel, redact: { paths: redactionPaths(config.apiKeyHeaders), censor: '[redacted]' } }, stream);
}
