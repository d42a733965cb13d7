// A throwaway PostgreSQL cluster, started as test/helpers/postgres-global-setup.ts
// does (initdb + pg_ctl, as the postgres user when we are root), or the server
// named by DATABASE_URL. Each caller gets a fresh database on it.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { log, onCleanup, removeDir, tempDir } from './util.js';

function findBinDir() {
  const candidates = [process.env.PG_BIN, '/usr/lib/postgresql/15/bin'];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // pg_config is optional
  }
  for (const dir of candidates) if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  throw new Error(
    `PostgreSQL binaries not found (looked in ${candidates.filter(Boolean).join(', ')}). ` +
      'Install postgresql-15 (apt-get install postgresql-15), set PG_BIN to the folder holding initdb and pg_ctl, or set DATABASE_URL to a server the benchmark may create databases on. ' +
      'Set BENCH_SKIP_POSTGRES=1 to run the SQLite figures only.',
  );
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;

function run(bin, args) {
  const result = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' }) : spawnSync(bin, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout ?? ''}\n${result.stderr ?? ''}`);
  return result.stdout;
}

/** Answers { adminUrl, describe, version, createDatabase(), stop() }. */
export async function startPostgres() {
  if (process.env.DATABASE_URL) {
    const adminUrl = process.env.DATABASE_URL;
    return { adminUrl, describe: 'the server in DATABASE_URL', version: await serverVersion(adminUrl), createDatabase: (name) => createDatabase(adminUrl, name), stop: () => {} };
  }
  const bin = findBinDir();
  const dir = tempDir('tessera-bench-pg-');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  log(`starting a throwaway PostgreSQL cluster (${bin}) on port ${port}`);
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const stopNow = onCleanup(() => {
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running
    }
    removeDir(dir);
  });
  run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300`, 'start']);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    describe: `throwaway cluster from ${bin} (initdb defaults: shared_buffers 128MB, fsync on)`,
    version: await serverVersion(adminUrl),
    createDatabase: (name) => createDatabase(adminUrl, name),
    stop: stopNow,
  };
}

async function serverVersion(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SHOW server_version')).rows[0].server_version;
  } finally {
    await client.end();
  }
}

async function createDatabase(adminUrl, name) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  return {
    url: dbUrl,
    drop: async () => {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
