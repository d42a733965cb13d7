// Figure 4's measurement, in its own process: it holds only the sampled
// secrets, as a server would, not the benchmark's million generated keys (whose
// heap would put major-GC pauses into the latencies). Reads a JSON spec file,
// prints one JSON result.
//
//   node bench/cold-child.js SPEC.json
//   SPEC: { env: { TESSERA_DATA_DIR, DATABASE_URL? }, warmup: [secret…], sample: [secret…], concurrent: [secret…], concurrency }
import { readFileSync } from 'node:fs';
import { createTessera } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { getOperation } from '../dist/domain/operations.js';
import { nullStream, summarize } from './lib/util.js';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// A fresh createTessera (not listening): its own new database connection, and
// its authenticator wired exactly as the server's, with an empty cache.
const tessera = await createTessera({ config: loadConfig(spec.env), logStream: nullStream() });
try {
  const authenticator = tessera.authenticator;
  if (authenticator.cache.size !== 0) throw new Error('the authenticator cache is not empty');
  const credentials = tessera.core.store.credentials;
  let queries = 0;
  const findAuthRecord = credentials.findAuthRecord.bind(credentials);
  credentials.findAuthRecord = (digest) => {
    queries++;
    return findAuthRecord(digest);
  };
  const op = getOperation('operations.list');
  const verify = async (secret) => {
    const started = process.hrtime.bigint();
    const pending = authenticator.authenticate({ secret, keyId: null, environment: null, operation: op, ip: '127.0.0.1', origin: null });
    const result = pending instanceof Promise ? await pending : pending;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!result.ok) throw new Error(`a seeded key was refused: ${result.error.code}`);
    return ms;
  };
  // Warm-up on other keys: JIT, statement cache, connection pool; the measured keys stay cold.
  for (const secret of spec.warmup) await verify(secret);
  queries = 0;
  const sequential = new Float64Array(spec.sample.length);
  for (let j = 0; j < spec.sample.length; j++) sequential[j] = await verify(spec.sample[j]);
  const sequentialQueries = queries;
  // Other keys with `concurrency` verifications in flight, as a busy server would issue them.
  const rest = spec.concurrent;
  const concurrent = new Float64Array(rest.length);
  let next = 0;
  const startedAll = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (next < rest.length) {
        const j = next++;
        concurrent[j] = await verify(rest[j]);
      }
    }),
  );
  const concurrentSec = Number(process.hrtime.bigint() - startedAll) / 1e9;
  process.stdout.write(
    JSON.stringify({
      sequential: summarize(sequential),
      sequentialQueries,
      concurrent: { ...summarize(concurrent), concurrency: spec.concurrency, perSecond: rest.length / concurrentSec },
      concurrentQueries: queries - sequentialQueries,
      describe: tessera.core.opened.describe,
    }),
  );
} finally {
  await tessera.close();
}
