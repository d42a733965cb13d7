import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A Unix socket per server process in `<data dir>/run/`. The CLI writes
 * `sync` after committing a change; the server re-reads the change feed and
 * answers `ok`, so when the CLI exits its change is already in force.
 */
export function controlSocketDir(dataDir: string): string {
  return join(dataDir, 'run');
}

// Unix socket paths are limited to about 104-108 bytes.
const MAX_SOCKET_PATH = 100;

export async function startControlSocket(dataDir: string, onSync: () => Promise<void>): Promise<{ path: string; close(): Promise<void> } | null> {
  const dir = controlSocketDir(dataDir);
  // Several servers may share a process (tests) as well as a folder: the name must be unique.
  const path = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.sock`);
  if (path.length > MAX_SOCKET_PATH) return null;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  rmSync(path, { force: true });
  const server: Server = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (data: string) => {
      if (!data.includes('sync')) return void socket.end('unknown\n');
      onSync().then(
        () => socket.end('ok\n'),
        () => socket.end('error\n'),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  server.unref();
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(path, { force: true });
      }),
  };
}

function nudge(path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('sync\n'));
    socket.on('data', () => {
      clearTimeout(timer);
      socket.end();
      resolve(true);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // Nobody listens there any more: a server that died without cleaning up.
      if (error.code === 'ECONNREFUSED') rmSync(path, { force: true });
      resolve(false);
    });
  });
}

/** Tells every server sharing this data folder to pick up committed changes now. */
export async function nudgeServers(dataDir: string, options: { exclude?: string | undefined; timeoutMs?: number } = {}): Promise<number> {
  let paths: string[];
  try {
    paths = readdirSync(controlSocketDir(dataDir))
      .filter((n) => n.endsWith('.sock'))
      .map((n) => join(controlSocketDir(dataDir), n))
      .filter((p) => p !== options.exclude);
  } catch {
    return 0;
  }
  const results = await Promise.all(paths.map((p) => nudge(p, options.timeoutMs ?? 2000)));
  return results.filter(Boolean).length;
}
