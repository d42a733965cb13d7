import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse, type RequestOptions } from '../helpers/api.js';
import { testDatabaseKind } from '../helpers/database.js';
import { dumpRows, masterKeyIdOf, openSealed, rawFileBytes, readMasterKeyFile } from '../helpers/database-dump.js';
import { cardBody, CARDS, completeSession, createSession, futureExpiry, paymentsMerchant, randomCardNumber, type PaymentsMerchant } from '../helpers/payments.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

/** Remembers every answer, to check that none carries card data. */
class RecordingApi extends Api {
  readonly responses: Array<{ what: string; response: ApiResponse }> = [];

  override async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const response = await super.request<T>(method, path, options);
    this.responses.push({ what: `${method} ${path}`, response });
    return response;
  }
}

interface Card {
  number: string;
  cvc: string;
}

/** The forms a stored card number could take: whole, spaced, all but the last 4 (which never leave Tessera), encoded. */
function panNeedles(number: string): string[] {
  return [number, number.replace(/(\d{4})(?=\d)/g, '$1 '), number.replace(/(\d{4})(?=\d)/g, '$1-'), number.slice(0, -4), Buffer.from(number).toString('base64'), Buffer.from(number).toString('hex')];
}

/** A CVC is 3-4 digits, found by chance in any timestamp: look for it in the shapes a stored request or record would give it. */
function cvcNeedles(cvc: string): string[] {
  return [`"cvc":"${cvc}"`, `"cvc": "${cvc}"`, `cvc=${cvc}`, `"cvc":${cvc}`];
}

/**
 * Every file under the data folder: its bytes as text (latin1 and UTF-8) for
 * the card numbers as digits, and as hex for the numbers' own hex form only
 * (hex dumps are full of digit runs like 400000000000).
 */
function scanFiles(dir: string, cards: readonly Card[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [file, bytes] of rawFileBytes(dir)) {
    const found = findCardData(`${bytes.toString('latin1')}\n${bytes.toString('utf8')}`, cards);
    const hex = bytes.toString('hex');
    for (const card of cards) if (hex.includes(Buffer.from(card.number).toString('hex'))) found.push(`card …${card.number.slice(-4)} hex-encoded`);
    out.set(file, found);
  }
  expect(out.size).toBeGreaterThan(0);
  return out;
}

function findCardData(haystack: string, cards: readonly Card[]): string[] {
  const found: string[] = [];
  for (const card of cards) {
    for (const needle of panNeedles(card.number)) if (haystack.includes(needle)) found.push(`card …${card.number.slice(-4)} as ${needle.slice(0, 6)}…`);
    for (const needle of cvcNeedles(card.cvc)) if (haystack.includes(needle)) found.push(`cvc of …${card.number.slice(-4)} as ${needle}`);
  }
  if (haystack.includes('"cvc"')) found.push('a "cvc" field');
  return found;
}

// The issue: "the card number is stored encrypted under the master key; the CVC is never stored; nothing but brand and last 4 ever leaves Tessera".
describe('card data at rest, in logs and in answers', () => {
  let server: TestServer;
  let api: RecordingApi;
  let shop: PaymentsMerchant;
  let closed = false;
  const cards: Card[] = [];
  let unusedToken: { id: string; card: Card };

  beforeAll(async () => {
    server = await startTestServer({ env: { TESSERA_LOG_LEVEL: 'debug' } });
    api = new RecordingApi(server.url);
    shop = await paymentsMerchant(server, api, { live: true });
  });
  afterAll(async () => {
    if (!closed) await server.close();
  });

  async function tokenize(card: Card, key = shop.publishable.secret, headers: Record<string, string> = {}): Promise<string> {
    const response = await api.post('/v1/tokens', { ...cardBody(card.number, Date.now()), cvc: card.cvc }, { key, headers });
    expect(response.status, response.text).toBe(201);
    return response.body.id as string;
  }

  it('runs every flow that carries card data', async () => {
    const random = () => ({ number: randomCardNumber('4'), cvc: String(100 + Math.floor(Math.random() * 900)) });
    const success = { number: CARDS.success, cvc: '739' };
    const decline = { number: CARDS.decline, cvc: '582' };
    const amex = { number: CARDS.amex, cvc: '9163' };
    const paid = random();
    const viaRequest = random();
    const replayed = random();
    const live = random();
    const unused = random();
    const refused = random();
    cards.push(success, decline, amex, paid, viaRequest, replayed, live, unused, refused);

    // Checkout: a decline, then the success card; and a random card paying another session.
    const session = await createSession(api, shop.secret.secret);
    expect((await completeSession(api, session.id, await tokenize(decline))).status).toBe(402);
    expect((await completeSession(api, session.id, await tokenize(success))).status).toBe(200);
    expect((await completeSession(api, (await createSession(api, shop.secret.secret)).id, await tokenize(paid))).status).toBe(200);
    expect((await completeSession(api, (await createSession(api, shop.secret.secret)).id, await tokenize(amex))).status).toBe(200);
    // A payment request with a token; a tokenization retried with an Idempotency-Key (its answer is stored).
    const prToken = await tokenize(viaRequest);
    expect((await api.post('/v1/payment-requests', { amount: 100, currency: 'USD', token: prToken }, { key: shop.secret.secret })).status).toBe(201);
    const idem = { 'idempotency-key': 'tokenize-once' };
    expect(await tokenize(replayed, shop.publishable.secret, idem)).toBe(await tokenize(replayed, shop.publishable.secret, idem));
    await tokenize(live, shop.live!.publishable.secret);
    await createSession(api, shop.live!.secret.secret); // the live hosted page gets its own publishable key
    // A token never used: its card stays sealed until it expires.
    unusedToken = { id: await tokenize(unused), card: unused };
    // Card data refused by validation is stored nowhere either.
    const expired = await api.post('/v1/tokens', { number: refused.number, expMonth: 1, expYear: 2020, cvc: refused.cvc }, { key: shop.publishable.secret });
    expect(expired.status).toBe(400);
    const luhn = await api.post('/v1/tokens', { number: `${refused.number.slice(0, -1)}${(Number(refused.number.at(-1)) + 1) % 10}`, ...futureExpiry(Date.now()), cvc: refused.cvc }, { key: shop.publishable.secret });
    expect(luhn.status).toBe(400);
    // A browser sending card data from an origin that is not allowed.
    expect((await api.post('/v1/tokens', cardBody(refused.number, Date.now()), { key: shop.publishable.secret, headers: { origin: 'https://evil.example' } })).status).toBe(403);
  });

  it('no answer carries card data but brand and last 4', () => {
    expect(api.responses.length).toBeGreaterThan(20);
    for (const { what, response } of api.responses) {
      expect(findCardData(response.text, cards), `${what} answered ${response.text}`).toEqual([]);
      expect(findCardData([...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n'), cards), what).toEqual([]);
    }
  });

  it('no log line holds a card number or a CVC', () => {
    const logs = server.logs.join('\n');
    expect(logs).toContain('/v1/tokens');
    expect(findCardData(logs, cards)).toEqual([]);
  });

  it('the idempotency record of a tokenization keeps its request fingerprint sealed, not a bare hash of the card data', async () => {
    const { rows } = await dumpRows(server.env);
    const records = rows.filter((r) => r.table === 'idempotency_records');
    expect(records.length).toBeGreaterThan(0);
    // What the fingerprint hashes: method, path and body. A bare SHA-256 of a card body could be brute-forced back to the card.
    const bare = (card: Card) => createHash('sha256').update('POST /v1/tokens\n').update(JSON.stringify({ ...cardBody(card.number, Date.now()), cvc: card.cvc })).digest('base64url');
    for (const card of cards) for (const record of records) expect(record.text).not.toContain(bare(card));
    const [masterKey] = readMasterKeyFile(join(server.env.TESSERA_DATA_DIR!, 'master.key'));
    const opened = records.map((record) => {
      expect(String(record.row.fingerprint)).toMatch(new RegExp(`^mk1\\.${masterKeyIdOf(masterKey!)}\\.`));
      return openSealed(String(record.row.fingerprint), masterKey!, `idempotency-fingerprint:${String(record.row.scope)}:${String(record.row.key_digest)}`).toString('utf8');
    });
    // Opened with the master key, it is the hash of the tokenization that was retried.
    expect(opened).toContain(bare(cards[5]!));
  });

  it('the card of an unused token is sealed under the master key (AES-256-GCM, bound to the token); used tokens keep none', async () => {
    const { rows } = await dumpRows(server.env);
    const tokens = rows.filter((r) => r.table === 'card_tokens');
    expect(tokens.length).toBe(cards.length - 1);
    const row = tokens.find((r) => r.row.id === unusedToken.id)!.row;
    const [masterKey] = readMasterKeyFile(join(server.env.TESSERA_DATA_DIR!, 'master.key'));
    const opened = JSON.parse(openSealed(String(row.card_sealed), masterKey!, `card_token:${unusedToken.id}`).toString('utf8'));
    expect(opened.number).toBe(unusedToken.card.number);
    expect(Object.keys(opened).sort()).toEqual(['expMonth', 'expYear', 'number']);
    expect(() => openSealed(String(row.card_sealed), masterKey!, 'card_token:tok_other')).toThrow();
    const used = tokens.filter((t) => t.row.used_at !== null);
    expect(used.length).toBe(5); // the tokens the flow above spent on payments
    for (const token of used) expect(token.row.card_sealed).toBeNull();
    expect(tokens.map((t) => `${t.row.brand}:${t.row.last4}`)).toContain('amex:0005');
  });

  it('`tessera master-key rotate` re-seals stored cards and the hosted page keys; the unused token still pays', async () => {
    const rotation = await new Promise<{ code: number; json: any; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'master-key', 'rotate', '--json'], { env: { ...process.env, ...server.env }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : Number(error.code), json: JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null'), stderr });
      });
    });
    expect(rotation.code, rotation.stderr).toBe(0);
    expect(rotation.json.reencrypted['card_tokens.card_sealed']).toBeGreaterThanOrEqual(1);
    expect(rotation.json.reencrypted['checkout_page_keys.secret_sealed']).toBe(2);
    expect(rotation.json.reencrypted['idempotency_records.fingerprint']).toBeGreaterThanOrEqual(1);
    const newKeyId = masterKeyIdOf(readMasterKeyFile(join(server.env.TESSERA_DATA_DIR!, 'master.key'))[0]!);
    const { rows } = await dumpRows(server.env);
    const sealed = rows.filter((r) => r.table === 'card_tokens' && r.row.card_sealed !== null).map((r) => String(r.row.card_sealed));
    for (const value of sealed) expect(value.split('.')[1]).toBe(newKeyId);
    expect((await completeSession(api, (await createSession(api, shop.secret.secret)).id, unusedToken.id)).status).toBe(200);
    const page = await api.get(`/checkout/${(await createSession(api, shop.secret.secret)).id}`);
    expect(page.text).toMatch(/"publishableKey":"tsr_pk_sandbox_/);
  });

  it('no row of any table, and no file in the data folder, holds a card number or a CVC', async () => {
    const scan = async () => {
      const { tables, rows } = await dumpRows(server.env);
      for (const table of ['card_tokens', 'payments', 'payment_requests', 'checkout_sessions', 'idempotency_records']) expect(tables).toContain(table);
      const text = rows.map((r) => `${r.table}: ${r.text}`).join('\n');
      // The dump is complete enough to catch a stored card: the last 4 of every tokenized card are in it.
      for (const card of cards.slice(0, -1)) expect(text, card.number.slice(-4)).toContain(card.number.slice(-4));
      expect(findCardData(text, cards)).toEqual([]);
    };
    await scan();
    // The raw bytes, WAL included, while the server runs…
    for (const [file, found] of scanFiles(server.env.TESSERA_DATA_DIR!, cards)) expect(found, file).toEqual([]);
    if (testDatabaseKind() === 'sqlite') {
      // …and after a clean close folds the WAL into the main file.
      await server.close();
      closed = true;
      for (const [file, found] of scanFiles(server.env.TESSERA_DATA_DIR!, cards)) expect(found, file).toEqual([]);
      await scan();
    }
  });
});
