import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Api } from '../helpers/api.js';
import { createPostgresDatabase, testDatabaseKind } from '../helpers/database.js';
import { createAccount, createKey } from '../helpers/fixtures.js';
import { eventually } from '../helpers/management.js';
import { verifyDelivery, WebhookReceiver } from '../helpers/webhook-receiver.js';

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

interface Child {
  process: ChildProcess;
  url: string;
  bootstrapKeys: { sandbox: { secret: string } } | null;
}

/** `tessera start --json` as a real process (from dist/: `npm run build` first), on the storage `env` names. */
function startServer(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, [BIN, 'start', '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`tessera start did not print its address:\n${stdout}\n${stderr}`)), 30_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      for (const line of stdout.split('\n')) {
        try {
          const summary = JSON.parse(line);
          if (typeof summary.listening === 'string') {
            clearTimeout(timer);
            resolve({ process: child, url: summary.listening, bootstrapKeys: summary.bootstrapKeys });
            return;
          }
        } catch {
          // a log line, or not complete yet
        }
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`tessera start exited with ${code ?? signal}:\n${stdout}\n${stderr}`));
    });
  });
}

function kill9(child: Child): Promise<void> {
  return new Promise((resolve) => {
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });
}

const started: ChildProcess[] = [];
const dirs: string[] = [];
const receivers: WebhookReceiver[] = [];

/** A fresh data folder (and, on PostgreSQL, database) that successive server processes share. */
async function storage(extra: Record<string, string>): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-crash-'));
  dirs.push(dir);
  return {
    TESSERA_DATA_DIR: dir,
    HOST: '127.0.0.1',
    PORT: '0',
    TESSERA_LOG_LEVEL: 'warn',
    ...(testDatabaseKind() === 'postgres' && { DATABASE_URL: await createPostgresDatabase() }),
    ...extra,
  };
}

/** A healthy merchant receiver: verifies every delivery, processes each webhook-id once. */
async function dedupingReceiver(secretOf: () => string) {
  const receiver = await WebhookReceiver.start();
  receivers.push(receiver);
  const processed = new Map<string, any>();
  receiver.answer = (entry) => {
    const event = verifyDelivery(secretOf(), entry);
    if (!processed.has(event.id)) processed.set(event.id, event);
    return 200;
  };
  return { receiver, processed };
}

// Issue 7 "Durable outbox": the event and its deliveries commit with the
// change, so a kill -9 loses nothing; a delivery sent but not recorded is
// sent again with the same webhook-id, and a deduping receiver processes it once.
describe('webhook delivery across kill -9', () => {
  afterEach(async () => {
    for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const receiver of receivers.splice(0)) await receiver.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('killed right after the change, before any delivery: the restarted server delivers the event exactly once', async () => {
    // The first server looks for due deliveries at start and then only every minute: it dies before it sends.
    const env = await storage({});
    const first = await startServer({ ...env, TESSERA_WEBHOOK_POLL_MS: '60000' });
    const op = first.bootstrapKeys!.sandbox.secret;
    const api = new Api(first.url);
    let secret = '';
    const { receiver, processed } = await dedupingReceiver(() => secret);
    const accountId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
    const created = await api.post(`/v1/accounts/${accountId}/webhook-endpoints`, { url: receiver.url(), eventTypes: ['key.created'] }, { key: op });
    expect(created.status, created.text).toBe(201);
    secret = created.body.secret;
    const key = await createKey(api, op, accountId, { kind: 'secret' });
    await kill9(first);
    expect(receiver.received).toHaveLength(0);

    const second = await startServer({ ...env, TESSERA_WEBHOOK_POLL_MS: '50' });
    expect(second.bootstrapKeys).toBeNull();
    await receiver.waitFor(() => receiver.received.length >= 1, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(receiver.received).toHaveLength(1);
    expect(processed.size).toBe(1);
    const [event] = [...processed.values()];
    expect(event).toMatchObject({ type: 'key.created', data: { object: { id: key.id } } });
    const api2 = new Api(second.url);
    await eventually(async () => {
      const list = await api2.get(`/v1/accounts/${accountId}/webhook-endpoints/${created.body.id}/deliveries`, { key: op });
      expect(list.body.data).toHaveLength(1);
      expect(list.body.data[0]).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    });
    second.process.kill('SIGTERM');
  });

  it('killed while a delivery is in flight (sent, not recorded): resent after restart with the same webhook-id, processed once', async () => {
    // A lease lapses after 2 × timeout + 5 s: 8 s here.
    const env = await storage({ TESSERA_WEBHOOK_TIMEOUT_MS: '1500', TESSERA_WEBHOOK_POLL_MS: '50' });
    const first = await startServer(env);
    const op = first.bootstrapKeys!.sandbox.secret;
    const api = new Api(first.url);
    let secret = '';
    const { receiver, processed } = await dedupingReceiver(() => secret);
    const accountId = await createAccount(api, op, { type: 'merchant', name: 'Shop' });
    const created = await api.post(`/v1/accounts/${accountId}/webhook-endpoints`, { url: receiver.url(), eventTypes: ['key.disabled'] }, { key: op });
    secret = created.body.secret;
    const key = await createKey(api, op, accountId, { kind: 'secret' });
    // The receiver takes the first delivery in and never answers it.
    const answer = receiver.answer;
    receiver.answer = (entry) => {
      receiver.answer = answer;
      void answer(entry);
      return 'hang';
    };
    expect((await api.patch(`/v1/accounts/${accountId}/keys/${key.id}`, { enabled: false }, { key: op })).status).toBe(200);
    await receiver.waitFor(() => receiver.received.length >= 1, 5000);
    await kill9(first);
    const killedAt = Date.now();

    const second = await startServer(env);
    await receiver.waitFor(() => receiver.received.length >= 2, 30_000);
    // The lease (2 × 1.5 s + 5 s) lapsed, then the restarted worker sent it again.
    // Not before: the killed worker's lease held it (the wait above bounds it from above).
    expect(receiver.received[1]!.at - killedAt).toBeGreaterThanOrEqual(6000);
    const [before, after] = receiver.received;
    expect(after!.headers['webhook-id']).toBe(before!.headers['webhook-id']);
    expect(after!.body).toBe(before!.body);
    expect(processed.size).toBe(1);
    expect([...processed.values()][0]).toMatchObject({ type: 'key.disabled', data: { object: { id: key.id, enabled: false } } });

    const api2 = new Api(second.url);
    await eventually(async () => {
      const list = await api2.get(`/v1/accounts/${accountId}/webhook-endpoints/${created.body.id}/deliveries`, { key: op });
      expect(list.body.data[0]).toMatchObject({ status: 'succeeded', attemptCount: 1, lastResponseStatus: 200 });
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(receiver.received).toHaveLength(2);
    second.process.kill('SIGTERM');
  });

  it('two server processes on the same storage, both running the worker, never send one delivery twice', async () => {
    const env = await storage({ TESSERA_WEBHOOK_POLL_MS: '20' });
    const a = await startServer(env);
    const b = await startServer(env);
    const op = a.bootstrapKeys!.sandbox.secret;
    const apiA = new Api(a.url);
    const apiB = new Api(b.url);
    let secret = '';
    const { receiver } = await dedupingReceiver(() => secret);
    const accountId = await createAccount(apiA, op, { type: 'merchant', name: 'Shop' });
    const created = await apiA.post(`/v1/accounts/${accountId}/webhook-endpoints`, { url: receiver.url(), eventTypes: ['key.created'] }, { key: op });
    secret = created.body.secret;
    const count = 40;
    await Promise.all(Array.from({ length: count }, (_, i) => createKey(i % 2 === 0 ? apiA : apiB, op, accountId, { kind: 'publishable', name: `k${i}` })));
    await receiver.waitFor(() => receiver.received.length >= count, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(count);
    expect(new Set(ids).size).toBe(count);
    a.process.kill('SIGTERM');
    b.process.kill('SIGTERM');
  });
});
