import autocannon from 'autocannon';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTessera } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { createWriteStream } from 'node:fs';
const dir = mkdtempSync(join(tmpdir(), 'bench-'));
const t = await createTessera({ config: loadConfig({ TESSERA_DATA_DIR: dir, PORT: '0' }), logStream: createWriteStream('/dev/null') });
const handler = async () => ({ ok: true, items: [1, 2, 3] });
t.server.get('/bench/open', handler);
t.server.get('/bench/protected', { config: { operation: 'operations.list' } }, handler);
const url = await t.listen();
const key = t.bootstrap.issued.sandbox.secret;
async function run(path, headers) {
  const r = await autocannon({ url: url + path, connections: 50, duration: 5, headers });
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx };
}
for (let i = 0; i < 3; i++) {
  const open = await run('/bench/open', {});
  const prot = await run('/bench/protected', { authorization: `Bearer ${key}` });
  console.log(JSON.stringify({ open, prot, ratio: prot.rps / open.rps }));
}
await t.close();
