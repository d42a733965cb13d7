// Figure 2: in-process verification of cached keys vs a bare loop doing
// SHA-256 of the same keys plus a Map look-up. Also a breakdown of the
// pieces of the hot path, for the analysis.
import { createHash } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import { createTessera, openCore } from '../../dist/app.js';
import { createLogger } from '../../dist/logger.js';
import { loadConfig } from '../../dist/config.js';
import { secretDigest } from '../../dist/domain/digest.js';
import { parseSecret } from '../../dist/domain/key-format.js';
import { getOperation } from '../../dist/domain/operations.js';
import { extractCredential } from '../../dist/http/credential-extraction.js';
import { redactSecrets, secretPattern } from '../../dist/http/log-redaction.js';
import { generateKeys, seedSqlite } from '../lib/seed.js';
import { median, nullStream, removeDir, tempDir } from '../lib/util.js';

/** Calls `body(i)` in batches until `ms` have passed; answers calls per second. */
function rate(body, ms) {
  const batch = 2000;
  let calls = 0;
  const started = process.hrtime.bigint();
  const until = started + BigInt(ms * 1e6);
  let now = started;
  while (now < until) {
    for (let i = 0; i < batch; i++) body(calls + i);
    calls += batch;
    now = process.hrtime.bigint();
  }
  return calls / (Number(now - started) / 1e9);
}

let sink = 0;

export async function inProcessVerify({ keyCount, rounds, roundMs }) {
  const dataDir = tempDir('tessera-bench-verify-');
  const devNull = nullStream();
  try {
    const config = loadConfig({ TESSERA_DATA_DIR: dataDir });
    const migrated = await openCore({ config, createMasterKey: true, onCredentialChanged: () => {} });
    await migrated.close();
    const keys = generateKeys(keyCount);
    seedSqlite(join(dataDir, 'tessera.sqlite'), keys);
    const tessera = await createTessera({ config, logStream: devNull });
    try {
      const authenticator = tessera.authenticator;
      const op = getOperation('operations.list');
      const secrets = keys.secrets;
      const n = secrets.length;
      // Warm the cache: every key once through the database.
      for (const secret of secrets) {
        const result = await authenticator.authenticate({ secret, keyId: null, environment: null, operation: op, ip: '127.0.0.1', origin: null });
        if (!result.ok) throw new Error(`seeded key refused: ${result.error.code}`);
      }
      if (authenticator.cache.size < n) throw new Error(`cache holds ${authenticator.cache.size} of ${n} keys`);
      // The bare loop's map: digest -> the same cached entries.
      const map = new Map(keys.digests.map((d) => [d, authenticator.cache.get(d)]));

      const verify = (i) => {
        const result = authenticator.authenticate({ secret: secrets[i % n], keyId: null, environment: null, operation: op, ip: '127.0.0.1', origin: null });
        if (result instanceof Promise || !result.ok) throw new Error('a cached key was not verified synchronously');
        sink ^= 1;
      };
      const bare = (i) => {
        const entry = map.get(createHash('sha256').update(secrets[i % n]).digest('base64url'));
        if (entry === undefined) throw new Error('bare loop missed');
        sink ^= 1;
      };
      // The same with Node's one-shot crypto.hash (>= 20.12), the cheapest SHA-256 Node offers.
      const hashOneShot = typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : null;
      const bareFast = hashOneShot && ((i) => {
        const entry = map.get(hashOneShot('sha256', secrets[i % n], 'base64url'));
        if (entry === undefined) throw new Error('bare loop missed');
        sink ^= 1;
      });
      const loops = { verify, bare, ...(bareFast && { bareFast }) };
      // Warm-up (JIT) of both loops.
      for (const loop of Object.values(loops)) rate(loop, roundMs);
      const names = Object.keys(loops);
      const pairs = [];
      for (let r = 0; r < rounds; r++) {
        // Rotate the order every round so that drift hits every loop alike.
        const order = names.map((_, j) => names[(j + r) % names.length]);
        const pair = {};
        for (const which of order) pair[which] = rate(loops[which], roundMs);
        pairs.push(pair);
      }
      const ratios = pairs.map((p) => p.verify / p.bare);
      const fastRatios = bareFast ? pairs.map((p) => p.verify / p.bareFast) : null;
      return {
        keyCount: n,
        rounds,
        roundMs,
        pairs,
        ratios,
        ratio: median(ratios),
        verifyPerSec: median(pairs.map((p) => p.verify)),
        barePerSec: median(pairs.map((p) => p.bare)),
        fastRatios,
        fastRatio: fastRatios && median(fastRatios),
        bareFastPerSec: bareFast ? median(pairs.map((p) => p.bareFast)) : null,
        breakdown: breakdown({ secrets, map, authenticator, op, config, roundMs }),
      };
    } finally {
      await tessera.close();
    }
  } finally {
      removeDir(dataDir);
  }
}

/** ns per call of each piece of the hot path (median of 5 short runs each). */
function breakdown({ secrets, map, authenticator, op, config, roundMs }) {
  const n = secrets.length;
  const headers = secrets.map((s) => ({ authorization: `Bearer ${s}`, host: '127.0.0.1' }));
  const hashOneShot = typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : null;
  // The request log line of src/http/server.ts, through the app's own logger (info, redaction on).
  const devNull = nullStream();
  const logger = createLogger(config, devNull);
  const plainLogger = pino({ level: config.logLevel }, devNull);
  const secrets_ = secretPattern(config.brand);
  const line = (withKey) => (i) => {
    logger.info({ method: 'GET', url: redactSecrets('/bench/protected', secrets_), status: 200, ms: 0.12, key: withKey ? 'key_0123456789012345678901' : undefined }, 'request');
    sink ^= i;
  };
  const cases = {
    'extractCredential (Bearer header)': (i) => {
      sink ^= extractCredential(headers[i % n], []).secret.length;
    },
    'parseSecret (format + CRC32 checksum)': (i) => {
      sink ^= parseSecret(secrets[i % n], 'tsr') === 'malformed' ? 1 : 0;
    },
    'secretDigest (dist/domain/digest.js)': (i) => {
      sink ^= secretDigest(secrets[i % n]).length;
    },
    'createHash sha256 + digest base64url': (i) => {
      sink ^= createHash('sha256').update(secrets[i % n]).digest('base64url').length;
    },
    ...(hashOneShot && {
      'crypto.hash one-shot sha256 (Node >= 20.12)': (i) => {
        sink ^= hashOneShot('sha256', secrets[i % n], 'base64url').length;
      },
    }),
    'Map.get(digest) with precomputed digest': (() => {
      const digests = [...map.keys()];
      return (i) => {
        sink ^= map.get(digests[i % n]) === undefined ? 1 : 0;
      };
    })(),
    'Authenticator.authenticate (cached key)': (i) => {
      sink ^= authenticator.authenticate({ secret: secrets[i % n], keyId: null, environment: null, operation: op, ip: '127.0.0.1', origin: null }).ok ? 1 : 0;
    },
    'request log line via the app logger (redaction on), open route': line(false),
    'same, protected route (with the key field)': line(true),
    'same line, logger without redaction': (i) => {
      plainLogger.info({ method: 'GET', url: '/bench/protected', status: 200, ms: 0.12, key: 'key_0123456789012345678901' }, 'request');
      sink ^= i;
    },
  };
  const out = [];
  for (const [name, body] of Object.entries(cases)) {
    rate(body, 100);
    const runs = Array.from({ length: 5 }, () => 1e9 / rate(body, 150));
    out.push({ name, ns: median(runs) });
  }
  return out;
}
