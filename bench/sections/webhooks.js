// Figure 6: webhook deliveries per second to a local receiver that answers
// at once, with the outbox in SQLite and in PostgreSQL.
//
// N events (key.created, each with a key-sized payload) and their deliveries
// are written into the outbox through the production code path
// (`recordEvent`, 500 per transaction) while no server runs. Then a server
// child process (bench/server-child.js: createTessera from dist/, the worker
// on, production defaults) is started, pinned to one CPU; it claims, signs,
// sends and records them. The receiver (this process) answers 204 at once
// and verifies every signature with the `standardwebhooks` library. The rate
// counts deliveries *recorded* as succeeded in the database, from the first
// arrival to the last record, polled every 25 ms through a separate connection.
import { createServer } from 'node:http';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { openCore } from '../../dist/app.js';
import { loadConfig } from '../../dist/config.js';
import { recordEvent } from '../../dist/services/events.js';
import { startServer } from '../lib/server.js';
import { fmt, log, removeDir, tempDir } from '../lib/util.js';

const CLI = { actor: { type: 'cli', id: 'cli:bench', credentialId: null, ip: null, requestId: null }, environment: null, principal: null };
export const WEBHOOK_TARGET = 500;

function startReceiver() {
  const arrivals = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      arrivals.push({ at: performance.now(), path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, arrivals, port: server.address().port })));
}

async function seed(env, { deliveries, endpoints, receiverPort }) {
  const core = await openCore({ config: loadConfig(env), createMasterKey: true, onCredentialChanged: () => {} });
  try {
    const account = await core.accounts.create(null, { type: 'merchant', name: 'Bench merchant' }, CLI);
    const secrets = {};
    for (let e = 0; e < endpoints; e++) {
      const created = await core.webhooks.create(account, { url: `http://127.0.0.1:${receiverPort}/hooks/${e}`, eventTypes: ['key.created'] }, CLI);
      secrets[`/hooks/${e}`] = created.secret;
    }
    const events = Math.ceil(deliveries / endpoints);
    const now = Date.now();
    for (let start = 0; start < events; start += 500) {
      await core.store.transaction(async (tx) => {
        for (let i = start; i < Math.min(events, start + 500); i++) {
          const object = {
            id: `key_bench${String(i).padStart(17, '0')}`,
            object: 'key',
            accountId: account.id,
            environment: 'sandbox',
            kind: 'secret',
            name: `Bench key ${i}`,
            redactedSecret: 'tsr_sk_sandbox_…a1B2',
            prefix: 'tsr_sk_sandbox_',
            last4: 'a1B2',
            permissions: [],
            enabled: true,
            status: 'active',
            rateLimit: null,
            allowedIps: [],
            signing: null,
            metadata: { team: 'payments' },
            createdAt: new Date(now).toISOString(),
            updatedAt: new Date(now).toISOString(),
            expiresAt: null,
            deletedAt: null,
            lastUsedAt: null,
            lastUsedIp: null,
          };
          await recordEvent(tx, { accountId: account.id, environment: 'sandbox', type: 'key.created', data: { object } }, now);
        }
      });
    }
    return { secrets, total: events * endpoints };
  } finally {
    await core.close();
  }
}

async function succeededCounter(env) {
  if (!env.DATABASE_URL) {
    const db = new SqliteDatabase(join(env.TESSERA_DATA_DIR, 'tessera.sqlite'), { readonly: true, fileMustExist: true });
    const statement = db.prepare("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'").pluck();
    return { count: async () => statement.get(), close: async () => db.close() };
  }
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  return {
    count: async () => Number((await client.query("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'")).rows[0].n),
    close: () => client.end(),
  };
}

/**
 * @param {{ label: string, databaseUrl?: string, deliveries: number, endpoints: number }} options
 */
export async function webhookThroughput({ label, databaseUrl, deliveries, endpoints }) {
  const dataDir = tempDir('tessera-bench-webhooks-');
  const receiver = await startReceiver();
  const env = { TESSERA_DATA_DIR: join(dataDir, 'data'), TESSERA_LOG_LEVEL: 'warn', TESSERA_WEBHOOK_POLL_MS: '50', ...(databaseUrl && { DATABASE_URL: databaseUrl }) };
  let server = null;
  let counter = null;
  try {
    const seeded = await seed(env, { deliveries, endpoints, receiverPort: receiver.port });
    const total = seeded.total;
    log(`figure 6 ${label}: ${fmt.int(total)} deliveries to ${endpoints} endpoint(s) in the outbox`);
    counter = await succeededCounter(env);
    const startedAt = performance.now();
    server = await startServer({ env, logFile: '/dev/null', cpu: 0 });
    const readyAt = performance.now();
    let recordedAt = null;
    const deadline = startedAt + 300_000;
    for (;;) {
      const n = await counter.count();
      if (n >= total) {
        recordedAt = performance.now();
        break;
      }
      if (performance.now() > deadline) throw new Error(`only ${n} of ${total} deliveries recorded after 300 s`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const arrivals = receiver.arrivals;
    const firstAt = Math.min(...arrivals.map((a) => a.at));
    const lastAt = Math.max(...arrivals.map((a) => a.at));
    const ids = new Map();
    let badSignatures = 0;
    const verifiers = Object.fromEntries(Object.entries(seeded.secrets).map(([path, secret]) => [path, new Webhook(secret)]));
    for (const a of arrivals) {
      const key = `${a.path} ${a.headers['webhook-id']}`;
      ids.set(key, (ids.get(key) ?? 0) + 1);
      try {
        // Timestamps are checked against this machine's clock, as any receiver would.
        verifiers[a.path].verify(a.body, { 'webhook-id': a.headers['webhook-id'], 'webhook-timestamp': a.headers['webhook-timestamp'], 'webhook-signature': a.headers['webhook-signature'] });
      } catch {
        badSignatures++;
      }
    }
    const duplicates = arrivals.length - ids.size;
    const seconds = (recordedAt - firstAt) / 1000;
    const result = {
      label,
      endpoints,
      deliveries: total,
      arrivals: arrivals.length,
      distinct: ids.size,
      duplicates,
      badSignatures,
      startupMs: readyAt - startedAt,
      firstArrivalAfterStartMs: firstAt - startedAt,
      arrivalSeconds: (lastAt - firstAt) / 1000,
      recordedSeconds: seconds,
      perSecond: total / seconds,
      arrivalPerSecond: arrivals.length / ((lastAt - firstAt) / 1000),
      pinned: server.pinned,
    };
    log(`figure 6 ${label}: ${fmt.int(result.perSecond)} deliveries/s recorded (${fmt.int(result.arrivalPerSecond)}/s arriving), ${duplicates} duplicates, ${badSignatures} bad signatures`);
    if (ids.size !== total) throw new Error(`${label}: ${ids.size} distinct deliveries arrived, ${total} expected`);
    return result;
  } finally {
    if (server !== null) await server.stop();
    await counter?.close();
    receiver.server.closeAllConnections();
    await new Promise((resolve) => receiver.server.close(resolve));
    removeDir(dataDir);
  }
}

const yes = (met) => (met ? '**yes**' : '**NO**');

/** Summary rows for BENCHMARKS.md. */
export function webhookSummaryRows(sections) {
  const rows = [];
  for (const [key, label] of [
    ['webhooksSqlite', 'SQLite'],
    ['webhooksPostgres', 'PostgreSQL'],
  ]) {
    const runs = sections[key]?.ok ? sections[key].value : null;
    if (runs === null) {
      rows.push(['6', `Webhook deliveries/s to a local receiver, outbox in ${label}`, sections[key] ? (sections[key].skipped ? 'skipped' : 'FAILED') : 'not run', `≥ ${WEBHOOK_TARGET}/s`, '—']);
      continue;
    }
    for (const r of runs) {
      const ok = r.perSecond >= WEBHOOK_TARGET && r.duplicates === 0 && r.badSignatures === 0;
      rows.push(['6', `Webhook deliveries/s to a local receiver answering at once, outbox in ${label}, ${r.endpoints} endpoint(s) (${fmt.int(r.deliveries)} deliveries, signed, sent, recorded)`, `${fmt.int(r.perSecond)}/s (${r.duplicates} duplicates, ${r.badSignatures} bad signatures)`, `≥ ${WEBHOOK_TARGET}/s`, yes(ok)]);
    }
  }
  return rows;
}

/** Section 6 of BENCHMARKS.md. */
export function renderWebhookSection(sections, settings) {
  const out = ['## 6. Webhook deliveries per second', ''];
  out.push(
    `${fmt.int(settings.deliveries)} deliveries of \`key.created\` events (each with a key-sized payload) are written into the outbox through the production code path (\`recordEvent\`, 500 per transaction) while no server runs. ` +
      'A server child process (`bench/server-child.js`: `createTessera` from dist/, production defaults: 64 deliveries in flight, 16 per endpoint, SQLite `synchronous=FULL`) is then started' +
      ' and its delivery worker claims them (leases; `FOR UPDATE SKIP LOCKED` on PostgreSQL), signs each per Standard Webhooks, POSTs it over keep-alive HTTP to a receiver in the benchmark process that answers 204 at once, and records every attempt in the database. ' +
      'The rate counts deliveries recorded as succeeded (polled every 25 ms through a separate connection), from the first arrival to the last record; the receiver verifies every signature with the `standardwebhooks` library and counts duplicates by webhook-id.',
    '',
  );
  const rows = [];
  for (const [key, label] of [
    ['webhooksSqlite', 'SQLite'],
    ['webhooksPostgres', 'PostgreSQL'],
  ]) {
    const section = sections[key];
    if (!section?.ok) {
      rows.push([label, section ? (section.skipped ? 'skipped' : `FAILED: ${String(section.error).split('\n')[0]}`) : 'not run', '', '', '', '', '', '—']);
      continue;
    }
    for (const r of section.value) {
      rows.push([label, String(r.endpoints), fmt.int(r.deliveries), `${(r.firstArrivalAfterStartMs / 1000).toFixed(2)} s`, `${r.recordedSeconds.toFixed(2)} s`, `**${fmt.int(r.perSecond)}/s** (arriving ${fmt.int(r.arrivalPerSecond)}/s)`, `${r.duplicates} / ${r.badSignatures}`, yes(r.perSecond >= WEBHOOK_TARGET && r.duplicates === 0 && r.badSignatures === 0)]);
    }
  }
  out.push(['| Outbox | Endpoints | Deliveries | Start to first arrival | First arrival to last record | Recorded deliveries/s | Duplicates / bad signatures | ≥ 500/s |', '|---|---|---|---|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n'), '');
  out.push('One endpoint is the strict case (at most 16 deliveries in flight to it); several endpoints show the worker\'s global concurrency. The server process is pinned to CPU 0 when taskset works; the receiver shares the other CPU with the benchmark.', '');
  return out.join('\n');
}
