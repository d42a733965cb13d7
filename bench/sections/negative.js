// Figure 3: which bad keys reach the database. Counts calls of
// store.credentials.findAuthRecord, and every SQL statement the Kysely SQLite
// driver prepares, while N requests of each kind go through the whole HTTP
// pipeline (Fastify inject: hooks, authentication, error handler, logging).
import { createTessera } from '../../dist/app.js';
import { loadConfig } from '../../dist/config.js';
import { generateSecret } from '../../dist/domain/key-format.js';
import { BASE62_ALPHABET } from '../../dist/domain/base62.js';
import { nullStream, removeDir, tempDir } from '../lib/util.js';

function withBadChecksum(secret) {
  const last = secret.at(-1);
  const replacement = BASE62_ALPHABET[(BASE62_ALPHABET.indexOf(last) + 1) % 62];
  return secret.slice(0, -1) + replacement;
}

export async function negativeCaching({ n }) {
  const dataDir = tempDir('tessera-bench-neg-');
  const devNull = nullStream();
  try {
    const tessera = await createTessera({ config: loadConfig({ TESSERA_DATA_DIR: dataDir }), logStream: devNull });
    try {
      const server = tessera.server;
      server.get('/bench/protected', { config: { operation: 'operations.list' } }, async () => ({ ok: true }));
      await server.ready();
      const store = tessera.core.store;
      const sqlite = tessera.core.opened.sqlite;
      let lookups = 0;
      let statements = 0;
      const findAuthRecord = store.credentials.findAuthRecord.bind(store.credentials);
      store.credentials.findAuthRecord = (digest) => {
        lookups++;
        return findAuthRecord(digest);
      };
      const prepare = sqlite.prepare.bind(sqlite);
      sqlite.prepare = (source) => {
        statements++;
        return prepare(source);
      };
      const good = tessera.bootstrap.issued.sandbox.secret;
      const unknown = generateSecret('tsr', 'secret', 'sandbox');
      const request = (secret) => server.inject({ method: 'GET', url: '/bench/protected', headers: { authorization: `Bearer ${secret}` } });

      const kinds = [
        { short: 'malformed', name: 'malformed (not a key: "not-a-key-…")', expected: { status: 401, code: 'malformed_credential' }, target: 0, secret: (i) => `not-a-key-${i}` },
        { short: 'malformed', name: 'malformed (right prefix, wrong length)', expected: { status: 401, code: 'malformed_credential' }, target: 0, secret: (i) => `tsr_sk_sandbox_${i}` },
        { short: 'bad checksum', name: 'bad checksum (one character changed)', expected: { status: 401, code: 'invalid_checksum' }, target: 0, secret: () => withBadChecksum(generateSecret('tsr', 'secret', 'sandbox')) },
        { short: 'same unknown key ×N', name: 'same unknown key N times, one after another', expected: { status: 401, code: 'unknown_credential' }, target: 1, secret: () => unknown },
        { short: 'same unknown key ×N at once', name: 'another unknown key N times, all at once', expected: { status: 401, code: 'unknown_credential' }, target: 1, concurrent: true, secret: (() => {
          const other = generateSecret('tsr', 'secret', 'sandbox');
          return () => other;
        })() },
        { name: 'N distinct unknown keys (for comparison)', expected: { status: 401, code: 'unknown_credential' }, target: null, secret: () => generateSecret('tsr', 'secret', 'sandbox') },
        { name: 'valid key N times (for comparison)', expected: { status: 200, code: null }, target: null, secret: () => good },
      ];
      const results = [];
      for (const kind of kinds) {
        lookups = 0;
        statements = 0;
        const secrets = Array.from({ length: n }, (_, i) => kind.secret(i));
        const responses = [];
        if (kind.concurrent) responses.push(...(await Promise.all(secrets.map(request))));
        else for (const s of secrets) responses.push(await request(s));
        const wrong = responses.filter((r) => r.statusCode !== kind.expected.status || (kind.expected.code !== null && r.json().error?.code !== kind.expected.code));
        if (wrong.length > 0) throw new Error(`${kind.name}: ${wrong.length} unexpected answers, e.g. ${wrong[0].statusCode} ${wrong[0].body}`);
        results.push({ short: kind.short, name: kind.name, requests: n, status: kind.expected.status, code: kind.expected.code, lookups, statements, target: kind.target, met: kind.target === null ? null : lookups === kind.target && statements === kind.target });
      }
      return { n, results };
    } finally {
      await tessera.close();
    }
  } finally {
      removeDir(dataDir);
  }
}
