import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A Unix socket per server in `<data dir>/run/`. The CLI (or another server)
 * writes a command and waits for `ok`: `sync` after committing a credential
 * change (the server re-reads the change feed), `reload-keys` after rotating
 * the master key file. When the CLI exits, its change is in force.
 */
export type ControlCommand = 'sync' | 'reload-keys';
const COMMANDS: readonly string[] = ['sync', 'reload-keys'];
export function controlSocketDir(dataDir: string): string {
  return join(dataDir, 'run');
}

// Unix socket paths are limited to about 104-108 bytes.
const MAX_SOCKET_PATH = 100;

export async function startControlSocket(dataDir: string, onCommand: (command: ControlCommand) => Promise<void>): Promise<{ path: string; close(): Promise<void> } | null> {
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
      const command = data.trim();
      if (!COMMANDS.includes(command)) return void socket.end('unknown\n');
      onCommand(command as ControlCommand).then(
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

function nudge(path: string, command: ControlCommand, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\n`));
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

/** Tells every server sharing this data folder to pick up committed changes (or a new master key) now. */
export async function nudgeServers(dataDir: string, options: { exclude?: string | undefined; timeoutMs?: number; command?: ControlCommand } = {}): Promise<number> {
  let paths: string[];
  try {
    paths = readdirSync(controlSocketDir(dataDir))
      .filter((n) => n.endsWith('.sock'))
      .map((n) => join(controlSocketDir(dataDir), n))
      .filter((p) => p !== options.exclude);
  } catch {
    return 0;
  }
  const results = await Promise.all(paths.map((p) => nudge(p, options.command ?? 'sync', options.timeoutMs ?? 2000)));
  return results.filter(Boolean).length;
}
