// Figure 9: signed requests (RFC 9421 hmac-sha256 and ed25519, 1 KB JSON body)
// against the same route unauthenticated, and a key with a 100-CIDR IP
// allowlist against one without, same server, alternated pairs.
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../lib/server.js';
import { failed, pct, table, us, yes } from '../lib/markdown.js';
import { log, median, pinned, removeDir, runProcess, tempDir } from '../lib/util.js';

const LOADGEN = fileURLToPath(new URL('../signatures-loadgen.js', import.meta.url));
export const TARGETS = { 'hmac-sha256 POST': 0.85, 'ed25519 POST': 0.25 };
/** "No measurable loss": the allowlist's median ratio may not fall below 1 by more than the pairs' own spread. */
const ALLOWLIST = '100-CIDR allowlist GET';

/** A JSON body of about 1 KB, as a payment API call would send. */
function kilobyteBody() {
  const items = Array.from({ length: 12 }, (_, i) => ({ sku: `SKU-${1000 + i}`, name: `Item number ${i}`, quantity: 1 + (i % 3), unitAmount: 1299 + i }));
  return JSON.stringify({ amount: 4999, currency: 'USD', description: 'Concert ticket', metadata: { orderId: 'order-1001' }, items }).slice(0, 1024);
}

/** 99 CIDRs that never match 127.0.0.1, then the one that does: the worst case for a linear scan. */
function hundredCidrs() {
  const cidrs = [];
  for (let i = 0; i < 50; i++) cidrs.push(`10.${i}.0.0/16`);
  for (let i = 0; i < 49; i++) cidrs.push(`2001:db8:${i.toString(16)}::/48`);
  cidrs.push('127.0.0.1/32');
  return cidrs;
}

/** A management call made with the bootstrap operator key. */
async function manage(server, path, body) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.sandboxKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

export async function signedRequests({ connections, pairs, durationSec, warmupSec }) {
  const dataDir = tempDir('tessera-bench-signatures-');
  const server = await startServer({ env: { TESSERA_DATA_DIR: join(dataDir, 'data') }, logFile: '/dev/null', cpu: 0 });
  try {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    // A merchant's secret keys, issued by the operator (no key manages its own account's keys).
    const merchant = await manage(server, '/v1/accounts', { type: 'merchant', name: 'Bench merchant' });
    const createKey = (body) => manage(server, `/v1/accounts/${merchant.id}/keys`, { kind: 'secret', ...body });
    const keys = {
      hmac: await createKey({ name: 'bench hmac', generateHMAC: true }),
      ed25519: { ...(await createKey({ name: 'bench ed25519', signingPublicKey: publicKey.export({ type: 'spki', format: 'pem' }) })), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) },
      plain: await createKey({ name: 'bench plain' }),
      allowlisted: await createKey({ name: 'bench allowlist', allowedIps: hundredCidrs() }),
    };
    const body = kilobyteBody();
    const args = [LOADGEN, JSON.stringify({ url: server.url, serverPid: server.pid, connections, pairs, durationSec, warmupSec, keys, bareKey: server.sandboxKey, body })];
    const { command, args: pinnedArgs } = pinned(1, process.execPath, args);
    log(`figure 9: ${pairs} pairs of ${durationSec} s per comparison, ${connections} connections, body ${body.length} bytes`);
    const { stdout, stderr } = await runProcess(command, pinnedArgs);
    process.stderr.write(stderr);
    const data = JSON.parse(stdout);
    return {
      bodyBytes: body.length,
      connections,
      comparisons: data.comparisons.map(({ base, variant, rounds }) => ({
        base,
        variant,
        ratios: rounds.map((r) => r.variant.rps / r.base.rps),
        ratio: median(rounds.map((r) => r.variant.rps / r.base.rps)),
        cpuRatio: median(rounds.map((r) => r.base.cpuUsPerRequest / r.variant.cpuUsPerRequest)),
        baseRps: median(rounds.map((r) => r.base.rps)),
        variantRps: median(rounds.map((r) => r.variant.rps)),
        baseCpuUs: median(rounds.map((r) => r.base.cpuUsPerRequest)),
        variantCpuUs: median(rounds.map((r) => r.variant.cpuUsPerRequest)),
      })),
    };
  } finally {
    await server.stop();
    removeDir(dataDir);
  }
}

function allowlistVerdict(c) {
  // Within noise: the median is at least the lower quartile of what the pairs themselves scatter to around 100%.
  const spread = Math.max(...c.ratios) - Math.min(...c.ratios);
  return c.ratio >= 1 - Math.max(0.02, spread / 4);
}

/** The summary row of one comparison: label, what it compares, target and verdict. */
function summaryRow(c, bodyBytes) {
  const measured = `${pct(c.ratio)} (${Math.round(c.variantRps).toLocaleString('en-US')} vs ${Math.round(c.baseRps).toLocaleString('en-US')} req/s; by server CPU per request ${pct(c.cpuRatio)})`;
  const pairs = `median of ${c.ratios.length} alternated pairs`;
  const signed = (alg) => `RFC 9421 ${alg}-signed POST, ${bodyBytes} B JSON body, Content-Digest checked`;
  if (c.variant === ALLOWLIST) return ['9c', `GET with a key holding a 100-CIDR IP allowlist (match on the last) / the same with no allowlist`, measured, 'no measurable loss', yes(allowlistVerdict(c))];
  if (c.variant === 'crypto-only POST') {
    return ['9a ref', `Ceiling: the open POST plus only SHA-256 of the body and one HMAC-SHA256 over a signature base, no verifier / the open POST (${pairs})`, measured, 'reference ("near 90%" in the issue)', '—'];
  }
  if (c.variant === 'bare-check + crypto POST') {
    return ['9a ref', `The issue's two yardsticks together: the crypto-only ceiling behind the bare SHA-256 + \`Map.get\` key check of figure 1, with no parsing, signature base, clock or replay check / the open POST (${pairs})`, measured, 'reference', '—'];
  }
  if (c.base === 'crypto-only POST') return ['9a ref', `${signed('hmac-sha256')} / that crypto-only ceiling (${pairs})`, measured, 'reference', '—'];
  const target = TARGETS[c.variant];
  return [c.variant === 'hmac-sha256 POST' ? '9a' : '9b', `${signed(c.variant.split(' ')[0])} / the same route unauthenticated (${pairs})`, measured, `≥ ${pct(target)}`, yes(c.ratio >= target)];
}

export function signatureSummaryRows(sections) {
  const s = sections.signatures;
  if (!s?.ok) return [['9', 'Signed requests and IP allowlists', s === undefined ? 'not run' : s.skipped ? 'skipped' : 'FAILED', '', '—']];
  return s.value.comparisons.map((c) => summaryRow(c, s.value.bodyBytes));
}

export function renderSignatureSection(sections) {
  const title = '## 9. Signed requests and IP allowlists';
  const s = sections.signatures;
  if (!s?.ok) return failed(s, title);
  const v = s.value;
  const out = [
    title,
    '',
    `One server process (CPU 0), a load generator (CPU 1) running the lean keep-alive client (bench/lib/http-client.js) with ${v.connections} connections. Every signed request is signed anew before its run (bench/lib/sign.js: \`@method\`, \`@target-uri\`, \`content-digest\`, \`created\`, a nonce, \`keyid\`, \`alg\`), since the server refuses a replayed signature; sending then costs the client the same for every variant, so the server sees the same arrival pattern (signing as requests went out, or autocannon rebuilding each of them, slowed the client enough to change the server's cost per request). The protected POST route runs the whole pipeline (key, Content-Digest of the ${v.bodyBytes}-byte body, signature base, replay cache, HMAC or Ed25519 verify); the open one parses the same body with no authentication. The crypto-only route is the open one plus the cryptography no verifier can skip (SHA-256 of the body, one HMAC-SHA256 over a signature base of the same length, each done as cheaply as Tessera does them) and nothing else; it receives the same signed requests, so its ratio to the open route is the ceiling any HMAC verifier can reach on this machine. The bare-check + crypto route puts figure 1's bare SHA-256 + \`Map.get\` key check in front of it: what a verifier would reach if everything but the key look-up and the cryptography (parsing both headers, \`created\` and \`keyid\`, the signature base, the replay cache) were free. Alternated pairs of runs, order swapped each pair.`,
    '',
  ];
  for (const c of v.comparisons) {
    out.push(`**${c.variant} / ${c.base}**: median ${pct(c.ratio)}; server CPU per request ${us(c.variantCpuUs)} vs ${us(c.baseCpuUs)} (${pct(c.cpuRatio)}).`, '');
    out.push(table(['Pair', 'ratio'], c.ratios.map((r, i) => [String(i + 1), pct(r)])), '');
  }
  return out.join('\n');
}
