import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createTessera, type Tessera } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createPostgresDatabase, testDatabaseKind } from './database.js';

const dataDirs: string[] = [];

/** Data folders outlive `close()` (some tests read the database afterwards), not the test process. */
function removeAtExit(dir: string): void {
  if (dataDirs.length === 0) process.once('exit', () => dataDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  dataDirs.push(dir);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface TestServer {
  url: string;
  tessera: Tessera;
  operatorId: string;
  /** Bootstrap operator secret keys. */
  operatorKeys: { sandbox: string; live: string };
  /** Every log line written so far. */
  logs: string[];
  /** The environment a CLI process needs to share this server's storage. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  now?: () => number;
  /** DNS for webhook endpoint hosts. */
  resolveHost?: (hostname: string) => Promise<string[]>;
}

/** A real Tessera on a free port, on the database this test project runs against. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  removeAtExit(dataDir);
  const env: Record<string, string> = {
    TESSERA_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    // A known port, so that the public URL (OAuth issuer, checkout links) is the real one.
    PORT: String(await freePort()),
    TESSERA_LOG_LEVEL: 'info',
    TESSERA_USAGE_FLUSH_MS: '50',
    ...(testDatabaseKind() === 'postgres' && { DATABASE_URL: await createPostgresDatabase() }),
    ...options.env,
  };
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      callback();
    },
  });
  const tessera = await createTessera({ config: loadConfig(env), logStream, ...(options.now && { now: options.now }), ...(options.resolveHost && { resolveHost: options.resolveHost }) });
  const url = await tessera.listen();
  const issued = tessera.bootstrap.issued;
  if (issued === null) throw new Error('a fresh test server must issue bootstrap keys');
  return {
    url,
    tessera,
    operatorId: tessera.bootstrap.operator.id,
    operatorKeys: { sandbox: issued.sandbox.secret, live: issued.live.secret },
    logs,
    env,
    close: () => tessera.close(),
  };
}
