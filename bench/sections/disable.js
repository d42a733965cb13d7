// Figure 5: a disabled key is refused on the very next request, whichever
// process made the change. Server children share a data dir (and a database);
// the CLI runs as its own process against the same storage; the request is
// sent the moment the CLI exits. A second variant disables through one
// server's API and asks another server process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../lib/server.js';
import { log, removeDir, tempDir, trackChild } from '../lib/util.js';

const CLI = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

function cli(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = trackChild(spawn(process.execPath, [CLI, ...args, '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`tessera ${args.join(' ')} exited with ${code}: ${stdout}${stderr}`));
      resolve({ ms, json: JSON.parse(stdout) });
    });
  });
}

async function probe(server, secret) {
  const response = await fetch(`${server.url}/bench/protected`, { headers: { authorization: `Bearer ${secret}` } });
  const body = await response.json();
  return { status: response.status, code: body.error?.code ?? null };
}

/** After a miss, how long until the server refuses the key (polling every ms, up to 3 s). */
async function timeUntilRefused(server, secret, since) {
  for (;;) {
    const answer = await probe(server, secret);
    const ms = Number(process.hrtime.bigint() - since) / 1e6;
    if (answer.status === 401 || ms > 3000) return { ...answer, ms };
    await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * @param {{ label: string, databaseUrl?: string, trials: number }} options
 */
export async function disablePropagation({ label, databaseUrl, trials }) {
  const dataDir = tempDir('tessera-bench-disable-');
  const otherDataDir = databaseUrl ? tempDir('tessera-bench-disable-node2-') : null;
  const shared = { TESSERA_DATA_DIR: join(dataDir, 'data'), ...(databaseUrl && { DATABASE_URL: databaseUrl }) };
  const servers = [];
  try {
    // A bootstraps the storage; B shares data dir (and database); C, on PostgreSQL only, is another node: same database, its own data dir.
    const a = await startServer({ env: shared, logFile: '/dev/null' });
    servers.push({ name: 'A (same data dir)', server: a });
    const b = await startServer({ env: shared, logFile: '/dev/null' });
    servers.push({ name: 'B (same data dir)', server: b });
    if (otherDataDir !== null) {
      // Another node shares the database and the master key (as it must: secrets in the database are sealed under it), not the data dir.
      const c = await startServer({ env: { ...shared, TESSERA_DATA_DIR: join(otherDataDir, 'data'), TESSERA_MASTER_KEY_FILE: join(dataDir, 'data', 'master.key') }, logFile: '/dev/null' });
      servers.push({ name: 'C (same database, own data dir)', server: c, remote: true });
    }
    const operatorKey = a.sandboxKey;
    const merchant = (await cli(['accounts', 'create', '--type', 'merchant', '--name', 'Bench merchant'], shared)).json;

    const newKey = async () => {
      const { json } = await cli(['keys', 'create', '--account', merchant.id, '--kind', 'secret', '--env', 'sandbox'], shared);
      for (const { name, server } of servers) {
        const warm = await probe(server, json.secret);
        if (warm.status !== 200) throw new Error(`new key refused by ${name} before the change: ${warm.status} ${warm.code}`);
      }
      return json;
    };

    const viaCli = [];
    for (let t = 0; t < trials; t++) {
      const key = await newKey();
      const { ms } = await cli(['keys', 'disable', '--account', merchant.id, key.id], shared);
      const exitedAt = process.hrtime.bigint();
      const answers = [];
      for (const { name, server, remote } of servers) answers.push({ name, remote: remote === true, ...(await probe(server, key.secret)) });
      for (const answer of answers) {
        if (answer.status !== 401) Object.assign(answer, { refusedAfter: await timeUntilRefused(servers.find((s) => s.name === answer.name).server, key.secret, exitedAt) });
      }
      viaCli.push({ cliMs: ms, answers });
    }

    const viaApi = [];
    for (let t = 0; t < trials; t++) {
      const key = await newKey();
      const started = process.hrtime.bigint();
      const response = await fetch(`${a.url}/v1/accounts/${merchant.id}/keys/${key.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: false }),
      });
      const apiMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (response.status !== 200) throw new Error(`PATCH disable answered ${response.status}: ${await response.text()}`);
      const answeredAt = process.hrtime.bigint();
      const answers = [];
      for (const { name, server, remote } of [...servers.slice(1), servers[0]]) answers.push({ name, remote: remote === true, ...(await probe(server, key.secret)) });
      for (const answer of answers) {
        if (answer.status !== 401) Object.assign(answer, { refusedAfter: await timeUntilRefused(servers.find((s) => s.name === answer.name).server, key.secret, answeredAt) });
      }
      viaApi.push({ apiMs, answers });
    }
    log(`figure 5 ${label}: ${trials} CLI and ${trials} API disables checked on ${servers.length} server processes`);
    return { label, servers: servers.map((s) => s.name), viaCli, viaApi };
  } finally {
    for (const { server } of servers) await server.stop();
    removeDir(dataDir);
    if (otherDataDir !== null) removeDir(otherDataDir);
  }
}
