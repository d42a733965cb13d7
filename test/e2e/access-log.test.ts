import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, testDatabaseKind } from '../helpers/database.js';
import { eventually } from '../helpers/management.js';

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));
const LOGGER = fileURLToPath(new URL('../../dist/logger.js', import.meta.url));

const children: ChildProcess[] = [];
const dirs: string[] = [];

function collect(child: ChildProcess): { stdout: () => string; exited: Promise<number | null> } {
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.resume();
  return { stdout: () => stdout, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

function requestLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.includes('"msg":"request"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// Log lines go to stdout in batches (src/logger.ts): these prove that batching
// never holds a line back for long, nor loses one when the process dies of an error.
describe('access log on stdout', () => {
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("a lone request's line appears while the server keeps running, though it fills no batch", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-log-'));
    dirs.push(dir);
    const env = { TESSERA_DATA_DIR: dir, HOST: '127.0.0.1', PORT: '0', TESSERA_LOG_LEVEL: 'info', ...(testDatabaseKind() === 'postgres' && { DATABASE_URL: await createPostgresDatabase() }) };
    const child = spawn(process.execPath, [BIN, 'start', '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const out = collect(child);
    const url = await eventually(async () => {
      const summary = out
        .stdout()
        .split('\n')
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as { listening?: string }];
          } catch {
            return [];
          }
        })
        .find((s) => typeof s.listening === 'string');
      if (summary === undefined) throw new Error(`no address yet:\n${out.stdout()}`);
      return summary.listening!;
    }, 30_000);

    const response = await fetch(`${url}/healthz?probe=lone`);
    expect(response.status).toBe(200);
    const line = await eventually(async () => {
      const found = requestLines(out.stdout()).find((l) => l.url === '/healthz?probe=lone');
      if (found === undefined) throw new Error('the access line has not been written yet');
      return found;
    }, 3_000);
    expect(line).toMatchObject({ method: 'GET', status: 200 });
    expect(child.exitCode).toBeNull();
  });

  it('lines logged just before an uncaught exception are written before the process dies', async () => {
    const script = `
      const { BatchedStdout, createLogger } = await import(${JSON.stringify(LOGGER)});
      const logger = createLogger({ logLevel: 'info', apiKeyHeaders: [] }, new BatchedStdout());
      for (let i = 0; i < 25; i++) logger.info({ n: i }, 'before the crash');
      setImmediate(() => { throw new Error('boom'); });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const out = collect(child);
    expect(await out.exited).toBe(1);
    const numbers = out
      .stdout()
      .split('\n')
      .filter((line) => line.includes('before the crash'))
      .map((line) => (JSON.parse(line) as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it("pino's logger.flush(callback) calls back once the buffered lines are written", async () => {
    const script = `
      const { BatchedStdout, createLogger } = await import(${JSON.stringify(LOGGER)});
      const logger = createLogger({ logLevel: 'info', apiKeyHeaders: [] }, new BatchedStdout());
      const giveUp = setTimeout(() => process.exit(3), 5000);
      logger.info('flushed on request');
      logger.flush((error) => { clearTimeout(giveUp); process.exit(error ? 4 : 0); });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const out = collect(child);
    expect(await out.exited).toBe(0);
    expect(out.stdout()).toContain('flushed on request');
  });
});
