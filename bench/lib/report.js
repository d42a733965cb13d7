// Renders the results of bench/run.js as BENCHMARKS.md.
import { fmt } from './util.js';
import { failed, int, interval, pct, range, table, us, yes } from './markdown.js';
import { renderWebhookSection, webhookSummaryRows } from '../sections/webhooks.js';
import { oauthSummaryRows, renderOAuthSections } from './report-oauth.js';
import { renderSignatureSection, signatureSummaryRows } from '../sections/signatures.js';
import { PROTECTED_GET_TARGET } from '../sections/http.js';

const ms = (v, d = 3) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : `${v.toFixed(d)} ms`);
const signedMs = (v, d = 3) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(d)} ms`;

function disableVerdicts(v) {
  const local = (list) => list.every((t) => t.answers.filter((a) => !a.remote).every((a) => a.status === 401));
  const remote = (list) => (v.servers.some((s) => s.startsWith('C ')) ? list.every((t) => t.answers.filter((a) => a.remote).every((a) => a.status === 401)) : null);
  const apiOthers = v.viaApi.every((t) => t.answers.filter((a) => !a.name.startsWith('A ')).every((a) => a.status === 401));
  const apiSame = v.viaApi.every((t) => t.answers.filter((a) => a.name.startsWith('A ')).every((a) => a.status === 401));
  return { cliLocal: local(v.viaCli), cliRemote: remote(v.viaCli), apiOthers, apiSame };
}

function lateAnswers(list) {
  const late = list.flatMap((t) => t.answers.filter((a) => a.status !== 401));
  if (late.length === 0) return '';
  const times = late.map((a) => a.refusedAfter?.ms).filter((x) => x !== undefined);
  return ` ${late.length} next request(s) were still accepted (200); refused ${times.length > 0 ? range(times, (x) => `${x.toFixed(1)} ms`) : 'n/a'} later.`;
}

export function renderReport(results) {
  const { machine, settings, sections: s } = results;
  const out = [];
  const minutes = (results.finishedAt - results.startedAt) / 1000;
  out.push('# Tessera benchmarks', '');
  out.push(`Produced by \`${results.command}\` (in \`${process.cwd()}\`), ${results.startedAt.toISOString()} – ${results.finishedAt.toISOString()} (${minutes.toFixed(0)} s), on commit ${results.commit}. This file is overwritten by every run.`, '');
  out.push('## Machine', '');
  out.push(
    table(
      ['', ''],
      [
        ['CPU', `${machine.cpuModel} (from /proc/cpuinfo)`],
        ['Cores', String(machine.cores)],
        ['RAM', `${machine.ramGiB.toFixed(1)} GiB`],
        ['Node', machine.node],
        ['OS', machine.os],
        ['Load average (1, 5, 15 min)', `${results.loadAtStart} at start, ${results.loadAtEnd} at the end (the bench itself keeps ~2 busy)`],
        ['CPU pinning (figure 1)', results.pinned ? 'server `taskset -c 0`, load generator `taskset -c 1`' : 'none (taskset unavailable or fewer than 2 CPUs)'],
        ['PostgreSQL', results.postgres ? `${results.postgres.version}, ${results.postgres.describe}` : settings.skipPostgres ? 'skipped' : 'not started'],
      ],
    ),
    '',
  );

  // ------------------------------------------------------------ summary
  const rows = [];
  const http = s.http?.ok ? s.http.value : null;
  if (http) {
    const basis = http.basis === 'saturated' ? `median of the ${http.count} pairs (of ${http.pairs.length}) run with the server saturated` : `median of all ${http.count} pairs: fewer than 5 ran with the server saturated`;
    rows.push(['1a', `Protected GET throughput / unauthenticated (autocannon, ${http.connections} connections, keep-alive; ${basis})`, `${pct(http.ratio)} (pairs: ${range(http.ratios, pct)}; server CPU per request: ${http.cpuRatio === null ? 'n/a' : pct(http.cpuRatio)})`, '≥ 93%', yes(http.ratio >= PROTECTED_GET_TARGET)]);
    const ref = http.reference;
    if (ref) {
      rows.push(['1a ref', `Yardstick: the same route behind only a bare SHA-256 + \`Map.get\` onRequest hook / unauthenticated (median of ${ref.rounds} rotated rounds of the three routes)`, `${pct(ref.bareOverOpen)} (95% interval ${interval(ref.intervals.bareOverOpen)}; by server CPU per request ${pct(ref.bareOverOpenCpu)}); Tessera's protected route in the same rounds: ${pct(ref.protectedOverOpen)} (${interval(ref.intervals.protectedOverOpen)})`, 'reference ("about 94%" in the issue)', '—']);
      rows.push(['1a ref', 'Protected GET / that bare check (same rounds)', `${pct(ref.protectedOverBare)} (95% interval ${interval(ref.intervals.protectedOverBare)}; by server CPU per request ${pct(ref.protectedOverBareCpu)}; ${us(ref.cpuUs.protected)} vs ${us(ref.cpuUs.bare)})`, 'reference', '—']);
    }
    rows.push(['1b', `Protected p99 − unauthenticated p99 (µs-timed keep-alive client, ${http.connections} connections; median of per-pair differences, same pairs)`, `${signedMs(http.p99Delta)} (p99 ${ms(http.pooled.open.p99)} vs ${ms(http.pooled.protected.p99)} pooled; p50 ${signedMs(http.p50Delta)})`, '≤ +0.3 ms', yes(http.p99Delta <= 0.3)]);
  } else rows.push(['1', 'Protected GET vs unauthenticated', s.http ? (s.http.skipped ? 'skipped' : 'FAILED') : 'not run', '≥ 93%, p99 ≤ +0.3 ms', '—']);
  const verify = s.verify?.ok ? s.verify.value : null;
  if (verify) {
    rows.push(['2', `In-process verify of a cached key / bare loop of \`createHash('sha256')\` + \`Map.get\` (${int(verify.keyCount)} keys, median of ${verify.rounds} alternated rounds)`, `${pct(verify.ratio)} (${int(verify.verifyPerSec)}/s vs ${int(verify.barePerSec)}/s)`, '≥ 60%', yes(verify.ratio >= 0.6)]);
    if (verify.fastRatio !== null) rows.push(['2+', `… against a bare loop of one-shot \`crypto.hash('sha256')\` + \`Map.get\` (same rounds)`, `${pct(verify.fastRatio)} (bare ${int(verify.bareFastPerSec)}/s)`, '≥ 60%', yes(verify.fastRatio >= 0.6)]);
  }
  else rows.push(['2', 'In-process verify vs bare loop', s.verify ? 'FAILED' : 'not run', '≥ 60%', '—']);
  const negative = s.negative?.ok ? s.negative.value : null;
  if (negative) {
    const targeted = negative.results.filter((r) => r.target !== null);
    rows.push(['3', `Database queries for ${int(negative.n)} requests each: ${targeted.map((r) => r.short).join(' / ')}`, targeted.map((r) => r.lookups).join(' / '), targeted.map((r) => r.target).join(' / '), yes(targeted.every((r) => r.met))]);
  } else rows.push(['3', 'Database queries for bad keys', s.negative ? 'FAILED' : 'not run', '0 / 0 / 1', '—']);
  for (const [key, label] of [
    ['coldSqlite', 'SQLite'],
    ['coldPostgres', 'PostgreSQL'],
  ]) {
    const c = s[key]?.ok ? s[key].value : null;
    if (c) rows.push(['4', `Cache-miss verify p99, ${int(settings.cold.keys)} keys, ${label} (${int(c.sequential.count)} random keys, one at a time)`, `${ms(c.sequential.p99)} (p50 ${ms(c.sequential.p50)}, max ${ms(c.sequential.max, 1)})`, '≤ 5 ms', yes(c.sequential.p99 <= 5)]);
    else rows.push(['4', `Cache-miss verify p99, ${label}`, s[key] ? (s[key].skipped ? 'skipped' : 'FAILED') : 'not run', '≤ 5 ms', '—']);
  }
  for (const [key, label] of [
    ['disableSqlite', 'SQLite'],
    ['disablePostgres', 'PostgreSQL'],
  ]) {
    const d = s[key]?.ok ? s[key].value : null;
    if (d) {
      const v = disableVerdicts(d);
      const cli = d.viaCli.map((t) => t.cliMs);
      rows.push(['5', `Disable with the CLI (own process), next request to every server sharing the data dir, ${label}`, `${d.viaCli.filter((t) => t.answers.filter((a) => !a.remote).every((a) => a.status === 401)).length}/${d.viaCli.length} refused; CLI ${range(cli, (x) => `${Math.round(x)} ms`)}`, '401', yes(v.cliLocal)]);
      if (v.cliRemote !== null) rows.push(['5+', `… next request to a server on the same database with its own data dir (another node), ${label}`, `${d.viaCli.filter((t) => t.answers.filter((a) => a.remote).every((a) => a.status === 401)).length}/${d.viaCli.length} refused`, '401', yes(v.cliRemote)]);
      rows.push(['5+', `Disable through server A's API, next request to the other server process(es), ${label}`, `${d.viaApi.filter((t) => t.answers.filter((a) => !a.name.startsWith('A ')).every((a) => a.status === 401)).length}/${d.viaApi.length} refused`, '401', yes(v.apiOthers)]);
    } else rows.push(['5', `Disable takes effect on the next request, ${label}`, s[key] ? (s[key].skipped ? 'skipped' : 'FAILED') : 'not run', '401', '—']);
  }
  rows.push(...webhookSummaryRows(s));
  if (settings.oauth) rows.push(...oauthSummaryRows(s));
  if (settings.only.has('signatures')) rows.push(...signatureSummaryRows(s));
  out.push('## Summary', '');
  out.push(table(['#', 'Figure', 'Measured', 'Target', 'Met'], rows), '');
  out.push('Rows marked 5+ go beyond the letter of figure 5 ("whichever process made the change"); see section 5.', '');
  const busy = (load) => Number(String(load).split(' ')[0]);
  if (busy(results.loadAtStart) > 1.5 || busy(results.loadAtEnd) > 3) {
    out.push(`**Other processes were using the CPUs during this run** (load average ${results.loadAtStart} at start, ${results.loadAtEnd} at the end, where the benchmark alone accounts for about 2): the figures are noisier than on a quiet machine, the cache-miss p99 and figure 1 most of all.`, '');
  }
  if (results.errors.length > 0) out.push(`**${results.errors.length} figure(s) failed to run: ${results.errors.join(', ')}.**`, '');

  // ------------------------------------------------------------ 1
  const h1 = '## 1. Protected GET vs the same route without authentication';
  if (http) {
    out.push(h1, '');
    out.push(
      `One server child process (\`bench/server-child.js\`: \`createTessera\` from dist/, production defaults, log level \`${http.log.level}\` with pino writing every request line to ${http.log.file}) registers \`GET /bench/open\` and \`GET /bench/protected\` (\`config.operation = 'operations.list'\`, so the onRoute hook adds authentication) with one and the same handler. ` +
        `The load generator (\`bench/loadgen.js\`) is a separate process${http.pinned ? ' pinned to the other CPU' : ''}. Each pair runs both routes for ${settings.http.durationSec} s with autocannon, then both again with the µs-timed keep-alive client (\`bench/lib/http-client.js\`, \`process.hrtime.bigint()\` per request), ${http.connections} connections each, keep-alive, no pipelining; the order alternates every pair (ABBA). ` +
        `The protected route is called with the bootstrap operator's sandbox secret key as \`Authorization: Bearer\`, so every request after the warm-up is a cache hit. ${settings.http.warmupSec} s of warm-up per route are not counted. Server CPU per request is read from /proc/PID/task/*/schedstat around each run.`,
      '',
    );
    out.push(
      table(
        ['Pair', 'Order', 'autocannon open req/s', 'protected req/s', 'ratio', 'server CPU/req open → protected', 'min server busy (autocannon / timed)', 'timed p50 open / protected', 'timed p99 open / protected', 'p99 Δ'],
        http.pairs.map((p, i) => [
          String(i + 1),
          p.order.map((r) => (r === 'open' ? 'O' : 'P')).join(''),
          int(p.autocannon.open.rps),
          int(p.autocannon.protected.rps),
          pct(p.autocannon.protected.rps / p.autocannon.open.rps),
          p.autocannon.open.cpuUsPerRequest === null ? 'n/a' : `${us(p.autocannon.open.cpuUsPerRequest)} → ${us(p.autocannon.protected.cpuUsPerRequest)}`,
          p.minBusy === null ? 'n/a' : `${pct(p.minBusy)}${p.saturated ? '' : ' (not counted)'} / ${pct(p.timedMinBusy)}`,
          `${ms(p.timed.open.p50)} / ${ms(p.timed.protected.p50)}`,
          `${ms(p.timed.open.p99)} / ${ms(p.timed.protected.p99)}`,
          signedMs(p.timed.protected.p99 - p.timed.open.p99),
        ]),
      ),
      '',
    );
    out.push(
      table(
        [`Median over ${http.basis === 'saturated' ? `the ${http.count} saturated pairs` : 'all pairs'}`, 'Unauthenticated', 'Protected', 'Protected / unauthenticated or Δ'],
        [
          ['autocannon throughput', `${int(http.rpsOpen)} req/s`, `${int(http.rpsProtected)} req/s`, `${pct(http.ratio)} (median of per-pair ratios)`],
          ['timed-client throughput', '', '', `${pct(http.timedRatio)}`],
          ['server CPU per request', us(http.cpuOpenUs), us(http.cpuProtectedUs), http.cpuRatio === null ? 'n/a' : `${pct(http.cpuRatio)} (throughput a saturated server would reach)`],
          ['same, over all pairs (throughput / CPU / p99 Δ)', '', '', `${pct(http.all.ratio)} / ${http.all.cpuRatio === null ? 'n/a' : pct(http.all.cpuRatio)} / ${signedMs(http.all.p99Delta)}`],
          ['timed p50 (pooled over pairs)', ms(http.pooled.open.p50), ms(http.pooled.protected.p50), `${signedMs(http.p50Delta)} (median of per-pair Δ)`],
          ['timed p99 (pooled over pairs)', ms(http.pooled.open.p99), ms(http.pooled.protected.p99), `${signedMs(http.p99Delta)} (median of per-pair Δ)`],
          ['timed p99.9 / max (pooled)', `${ms(http.pooled.open.p999)} / ${ms(http.pooled.open.max, 1)}`, `${ms(http.pooled.protected.p999)} / ${ms(http.pooled.protected.max, 1)}`, ''],
          ...(http.unloaded
            ? [
                ['1 connection (no queueing): p50', ms(http.unloaded.p50Open), ms(http.unloaded.p50Protected), signedMs(http.unloaded.p50Delta)],
                ['1 connection (no queueing): p99', ms(http.unloaded.p99Open), ms(http.unloaded.p99Protected), signedMs(http.unloaded.p99Delta)],
              ]
            : []),
        ],
      ),
      '',
    );
    out.push(
      `autocannon latency for reference (whole milliseconds, median over pairs): p50 ${http.pairs.map((p) => p.autocannon.open.p50Ms).sort((a, b) => a - b)[http.pairs.length >> 1]} / ${http.pairs.map((p) => p.autocannon.protected.p50Ms).sort((a, b) => a - b)[http.pairs.length >> 1]} ms, p99 ${http.pairs.map((p) => p.autocannon.open.p99Ms).sort((a, b) => a - b)[http.pairs.length >> 1]} / ${http.pairs.map((p) => p.autocannon.protected.p99Ms).sort((a, b) => a - b)[http.pairs.length >> 1]} ms (open / protected). ` +
        `A pair counts towards the verdict only if the server's CPU was at least ${pct(http.busyThreshold)} busy in both of its autocannon runs: below that the server was not the bottleneck (the VM throttled the load generator or the server) and the run's throughput says more about the machine than about the code. Pairs are added (up to ${settings.http.maxPairs ?? 24}) until ${settings.http.minValidPairs ?? 8} such pairs ran; ${http.saturatedCount} of ${http.pairs.length} qualified.`,
      '',
    );
    if (http.reference) {
      const r = http.reference;
      out.push(
        `**Yardstick.** The issue measures its 93% against "a bare SHA-256 + Map check in Fastify (about 94% here)". The same server also serves \`GET /bench/bare-check\`: the same handler behind one onRequest hook that takes the Bearer value, computes \`crypto.hash('sha256', key, 'base64url')\` and looks it up in a \`Map\` (no parsing, state, environment, IP, permission, rate limit or usage record), on every request. Tessera runs all of those, but hashes a key only when the connection did not authenticate with it just before (docs/authentication.md, \`src/services/recent-credential.ts\`); on these keep-alive connections that is the first request only, so the protected route can outrun the bare check. After the pairs, autocannon (\`bench/targets-loadgen.js\`) ran the open route, that bare check and the protected route in ${r.rounds} rounds of ${settings.http.durationSec} s, the order rotated every round. Medians of per-round ratios, each with a 95% bootstrap interval (4,000 resamples of the rounds), and how many single rounds reached 93%:`,
        '',
        table(
          ['Ratio (same rounds)', 'Throughput', '95% interval of that median', 'Rounds at ≥ 93%', 'Server CPU per request'],
          [
            ['bare check / open', pct(r.bareOverOpen), interval(r.intervals.bareOverOpen), `${r.roundsAtTarget.bare} of ${r.rounds}`, `${pct(r.bareOverOpenCpu)} (${us(r.cpuUs.bare)} vs ${us(r.cpuUs.open)})`],
            ['Tessera protected / open', pct(r.protectedOverOpen), interval(r.intervals.protectedOverOpen), `${r.roundsAtTarget.protected} of ${r.rounds}`, `${pct(r.protectedOverOpenCpu)} (${us(r.cpuUs.protected)} vs ${us(r.cpuUs.open)})`],
            ['Tessera protected / bare check', pct(r.protectedOverBare), interval(r.intervals.protectedOverBare), '—', pct(r.protectedOverBareCpu)],
          ],
        ),
        '',
        `Reaching 93% of the open route in these rounds needs the protected route at ${pct(PROTECTED_GET_TARGET / r.bareOverOpen)} of the bare check's throughput${r.bareOverOpen < PROTECTED_GET_TARGET ? ' (faster than the bare check itself)' : ''}; it measured ${pct(r.protectedOverBare)}.`,
        '',
      );
    }
    out.push(
      `With ${http.connections} connections on a saturated server, latency is mostly queueing: a p99 difference there follows from the throughput difference (Little's law: ${http.connections} × (1/protected − 1/open) ≈ ${signedMs(http.connections * (1000 / http.rpsProtected - 1000 / http.rpsOpen))} at the median rates). The 1-connection rows show the added service time without queueing.`,
      '',
    );
  } else out.push(failed(s.http, h1));

  // ------------------------------------------------------------ 2
  const h2 = '## 2. In-process verify of a cached key vs a bare SHA-256 + Map loop';
  if (verify) {
    out.push(h2, '');
    out.push(
      `${int(verify.keyCount)} distinct real keys (generated by \`generateSecret\`, bulk-loaded into SQLite) are each verified once through \`createTessera(...).authenticator\` to fill its cache; then \`authenticator.authenticate({ secret, keyId: null, environment: null, operation: operations.list, ip, origin: null })\` runs round-robin over all of them (each call must answer synchronously with ok), ` +
        `against a bare loop doing \`createHash('sha256').update(secret).digest('base64url')\` (what \`secretDigest\` in src/domain/digest.ts does today) plus \`Map.get\` on a map of the same digests, and a second bare loop using Node's one-shot \`crypto.hash('sha256', secret, 'base64url')\` instead, the cheapest SHA-256 Node offers. ${verify.rounds} rounds of ${verify.roundMs} ms per loop, the order rotated every round, after a warm-up of each.`,
      '',
    );
    const fast = verify.fastRatios !== null;
    out.push(table(['Round', 'authenticate/s', 'bare createHash loop/s', 'ratio', ...(fast ? ['bare crypto.hash loop/s', 'ratio'] : [])], verify.pairs.map((p, i) => [String(i + 1), int(p.verify), int(p.bare), pct(verify.ratios[i]), ...(fast ? [int(p.bareFast), pct(verify.fastRatios[i])] : [])])), '');
    out.push(`Median: ${int(verify.verifyPerSec)} verifications/s (${us(1e6 / verify.verifyPerSec, 2)} each) vs ${int(verify.barePerSec)}/s (${us(1e6 / verify.barePerSec, 2)} each): **${pct(verify.ratio)}**${fast ? `; against the crypto.hash loop (${int(verify.bareFastPerSec)}/s, ${us(1e6 / verify.bareFastPerSec, 2)} each): **${pct(verify.fastRatio)}**` : ''}.`, '');
    out.push('Cost of the pieces of the hot path, same process, same keys (median of 5 short runs, ns per call):', '');
    out.push(table(['Piece', 'ns/call'], verify.breakdown.map((b) => [b.name, int(b.ns)])), '');
  } else out.push(failed(s.verify, h2));

  // ------------------------------------------------------------ 3
  const h3 = '## 3. Database queries caused by bad keys';
  if (negative) {
    out.push(h3, '');
    out.push(
      `${int(negative.n)} requests of each kind go through the whole HTTP pipeline (\`server.inject\` on a \`createTessera\` instance on SQLite: hooks, authentication, error handler, logging). ` +
        '"Look-ups" counts calls of `store.credentials.findAuthRecord`; "SQL statements" counts every statement the Kysely SQLite driver prepared meanwhile (`sqlite.prepare` wrapped), so nothing reaches the database unseen. Every answer was checked (status and error code).',
      '',
    );
    out.push(table(['Requests', 'Answer', 'Look-ups', 'SQL statements', 'Target', 'Met'], negative.results.map((r) => [`${int(r.requests)} × ${r.name}`, `${r.status}${r.code ? ` ${r.code}` : ''}`, int(r.lookups), int(r.statements), r.target === null ? '—' : String(r.target), yes(r.met)])), '');
  } else out.push(failed(s.negative, h3));

  // ------------------------------------------------------------ 4
  const h4 = `## 4. Cache-miss verify with ${int(settings.cold.keys)} keys`;
  const cs = s.coldSqlite?.ok ? s.coldSqlite.value : null;
  const cp = s.coldPostgres?.ok ? s.coldPostgres.value : null;
  out.push(h4, '');
  out.push(
    `${int(settings.cold.keys)} real keys (\`generateSecret\`, \`newId\`, \`secretDigest\` from dist/) across 8 merchant accounts, bulk-loaded into the migrated schema (\`credentials\` + \`credential_secrets\` rows; SQLite: prepared statements in one transaction; PostgreSQL: batched \`INSERT … SELECT FROM unnest(…)\`, then \`VACUUM ANALYZE\`). ` +
      `Then, in a separate process that holds only the sampled secrets (\`bench/cold-child.js\`, so that the benchmark's million keys and their garbage collection stay out of the timings), a fresh \`createTessera(...)\` on that storage (not listening: its own new database connection, and its \`authenticator\` wired exactly as the server's, with an empty cache) verifies ${int(settings.cold.warmup)} warm-up keys (not counted), then ${int(settings.cold.sample)} other random keys one at a time, each timed from the \`authenticate()\` call to its answer; every one must be ok and cost exactly one \`findAuthRecord\`. ` +
      `Then ${int(settings.cold.concurrentSample)} more keys with ${settings.cold.concurrency} verifications in flight, for reference. The OS page cache holds the freshly written database, as it would on a server that has been running.`,
    '',
  );
  const coldRow = (label, c, section) =>
    c
      ? [label, `${c.seedSec.toFixed(1)} s`, `${(c.size / 1e6).toFixed(0)} MB`, ms(c.sequential.p50), ms(c.sequential.p90), `**${ms(c.sequential.p99)}**`, ms(c.sequential.p999), ms(c.sequential.max, 1), `${int(c.sequentialQueries)}`, `${ms(c.concurrent.p50)} / ${ms(c.concurrent.p99)}, ${int(c.concurrent.perSecond)}/s`, yes(c.sequential.p99 <= 5)]
      : [label, section?.skipped ? 'skipped' : section ? `FAILED: ${section.error.split('\n')[0]}` : 'not run', '', '', '', '', '', '', '', '', '—'];
  out.push(
    table(
      ['Database', 'Load time', 'Size', 'p50', 'p90', 'p99', 'p99.9', 'max', 'look-ups', `${settings.cold.concurrency} in flight: p50 / p99, rate`, 'p99 ≤ 5 ms'],
      [coldRow(cs?.describe ?? 'SQLite', cs, s.coldSqlite), coldRow(cp?.describe ?? 'PostgreSQL', cp, s.coldPostgres)],
    ),
    '',
  );
  for (const [key, label] of [
    ['coldSqlite', 'SQLite'],
    ['coldPostgres', 'PostgreSQL'],
  ]) {
    if (s[key] && !s[key].ok && !s[key].skipped) out.push(`${label} error:`, '', '```', s[key].error, '```', '');
  }

  // ------------------------------------------------------------ 5
  out.push('## 5. Disabling a key takes effect on the next request', '');
  out.push(
    'Server child processes A and B share one data dir (and, on PostgreSQL, the database); on PostgreSQL a third, C, uses the same database with its own data dir, as another node would. For each trial a new key is created with the CLI and used once on every server (so it is cached everywhere), then ' +
      '`node bin/tessera.js keys disable --account ACC KEY --json` runs as its own process against the same storage; the moment it exits, the key is sent to every server. ' +
      'A second variant disables the key through server A\'s API (`PATCH /v1/accounts/ACC/keys/KEY {"enabled":false}` with the operator key) and sends the key to the other servers as soon as the 200 arrives. Any server that still accepted the key is polled every ~1 ms until it refuses it.',
    '',
  );
  for (const [key, label] of [
    ['disableSqlite', 'SQLite'],
    ['disablePostgres', 'PostgreSQL'],
  ]) {
    const d = s[key]?.ok ? s[key].value : null;
    if (!d) {
      out.push(failed(s[key], `### ${label}`));
      continue;
    }
    out.push(`### ${label}`, '');
    const answer = (a) => `${a.status}${a.code ? ` ${a.code}` : ''}${a.refusedAfter ? ` (refused ${a.refusedAfter.ms.toFixed(1)} ms later)` : ''}`;
    out.push(table(['Trial', 'CLI wall time', ...d.servers.map((n) => `next request → ${n}`)], d.viaCli.map((t, i) => [String(i + 1), `${Math.round(t.cliMs)} ms`, ...d.servers.map((n) => answer(t.answers.find((a) => a.name === n)))])), '');
    out.push(table(['Trial', 'API call (A)', ...d.servers.map((n) => `next request → ${n}`)], d.viaApi.map((t, i) => [String(i + 1), `${t.apiMs.toFixed(1)} ms`, ...d.servers.map((n) => answer(t.answers.find((a) => a.name === n)))])), '');
    const v = disableVerdicts(d);
    out.push(`CLI: ${v.cliLocal ? 'every next request to a server sharing the data dir was refused.' : '**some next requests were still accepted.**'}${lateAnswers(d.viaCli)} API: ${v.apiOthers && v.apiSame ? 'every next request was refused.' : '**not every next request was refused.**'}${lateAnswers(d.viaApi)}`, '');
  }

  // ------------------------------------------------------------ 6
  if (settings.webhooks) out.push(renderWebhookSection(s, settings.webhooks));

  // ------------------------------------------------------------ 7, 8
  if (settings.oauth) out.push(renderOAuthSections(s));
  if (settings.only.has('signatures')) out.push(renderSignatureSection(s));

  // ------------------------------------------------------------ profile
  const prof = s.profile?.ok ? s.profile.value : null;
  if (prof) {
    out.push('## Where the time goes (CPU profile of the server)', '');
    out.push(
      `The server child was profiled with the V8 sampling profiler (the one \`node --cpu-prof\` uses; started and stopped through \`node:inspector\` around the load only, 100 µs sampling) under autocannon load at ${settings.http.connections} connections, 4 alternated windows of 3 s per route, summed per route. ` +
        `Per request: unauthenticated ${us(prof.open.profiledUsPerRequest)} profiled (${us(prof.open.cpuUsPerRequest)} CPU), protected ${us(prof.protected.profiledUsPerRequest)} profiled (${us(prof.protected.cpuUsPerRequest)} CPU); the profiler itself adds some time to both.`,
      '',
    );
    out.push('Top self time on the protected route (µs per request; the same function on the unauthenticated route beside it):', '');
    out.push(table(['Function', 'protected µs/req', 'open µs/req', 'share of protected'], prof.topSelf.map((r) => [`\`${r.fn}\``, r.protectedUs.toFixed(2), r.openUs.toFixed(2), pct(r.share)])), '');
    out.push('Largest increases in self time, protected − unauthenticated (µs per request):', '');
    out.push(table(['Function', 'Δ µs/req', 'protected', 'open'], prof.selfDiff.map((r) => [`\`${r.fn}\``, r.deltaUs.toFixed(2), r.protectedUs.toFixed(2), r.openUs.toFixed(2)])), '');
    out.push('Inclusive time of the authentication path on the protected route (µs per request):', '');
    out.push(table(['Function', 'inclusive µs/req'], prof.authPath.map((r) => [`\`${r.fn}\``, r.inclusiveUs.toFixed(2)])), '');
  } else if (s.profile) out.push(failed(s.profile, '## Where the time goes (CPU profile of the server)'));

  // ------------------------------------------------------------ notes
  out.push('## Method notes', '');
  out.push(
    [
      '- Everything runs from `dist/` as built by `npm run build`, copied to a temporary snapshot first so that a rebuild during the run cannot mix two builds; nothing under src/ or test/ is changed. Temporary data dirs, child processes and the throwaway PostgreSQL cluster are removed at the end, also on failure or Ctrl-C.',
      '- Ratios are always from measurements taken side by side in the same run, alternated, and summarised by their median; absolute rates on a shared 2-vCPU VM drift by tens of percent between runs (the per-pair columns show it), so compare ratios, not rates, across runs.',
      '- Figure 1 uses production defaults: log level `info`, one JSON line per request (pino to stdout, here redirected), metrics, request ids. The load generator and the server never share a process.',
      `- Settings of this run: ${JSON.stringify({ http: settings.http, verify: settings.verify, negative: settings.negative, cold: settings.cold, disable: settings.disable })}.`,
      '- Re-run one figure with e.g. `BENCH_ONLY=http npm run bench`; see the header of bench/run.js for every knob.',
    ].join('\n'),
    '',
  );
  return out.join('\n');
}
