// Renders figures 7 and 8 (OAuth 2.0) of BENCHMARKS.md: their summary rows and their sections.
import { TOKEN_TARGET, VERIFY_TARGET } from '../sections/oauth.js';
import { failed, int, pct, range, table, us, yes } from './markdown.js';

const times = (r) => `${r.toFixed(2)}×`;

const basisText = (v, unit) => (v.basis === 'saturated' ? `median of the ${v.countedRounds} ${unit} (of ${v.rounds.length}) run with ${unit === 'pairs' ? 'the server' : `${v.judged.join(' and ')} both`} ≥ ${pct(v.busyThreshold)} busy` : `median of all ${v.countedRounds} ${unit}: fewer than 3 ran with ${unit === 'pairs' ? 'the server' : v.judged.join(' and ')} saturated`);

export function oauthSummaryRows(s) {
  const rows = [];
  const token = s.oauthToken?.ok ? s.oauthToken.value : null;
  if (token) {
    const r = token.ratios['tessera/oidc-provider'];
    const t = token.perTarget;
    rows.push([
      '7',
      `Tokens/s from \`POST /oauth/token\`, Tessera / oidc-provider ${token.oidcProviderVersion} (client_credentials, Basic, EdDSA JWT; autocannon, ${token.connections} connections; ${basisText(token, 'rounds')})`,
      `${times(r.ratio)} (Tessera ${int(t.tessera.rps)}/s, oidc-provider ${int(t['oidc-provider'].rps)}/s, bare signing route ${int(t.bare.rps)}/s; by server CPU per token: ${r.cpuRatio === null ? 'n/a' : times(r.cpuRatio)})`,
      `≥ ${TOKEN_TARGET}×`,
      yes(token.met),
    ]);
  } else rows.push(['7', 'Tokens/s from POST /oauth/token, Tessera / oidc-provider', s.oauthToken ? (s.oauthToken.skipped ? 'skipped' : 'FAILED') : 'not run', `≥ ${TOKEN_TARGET}×`, '—']);
  const verify = s.oauthVerify?.ok ? s.oauthVerify.value : null;
  if (verify) {
    const r = verify.ratios['token/key'];
    rows.push([
      '8',
      `Protected GET with a Bearer access token / the same route with a secret key (same server, alternated pairs; ${basisText(verify, 'pairs')})`,
      `${pct(r.ratio)} (${int(verify.perTarget.token.rps)} vs ${int(verify.perTarget.key.rps)} req/s; by server CPU per request: ${r.cpuRatio === null ? 'n/a' : pct(r.cpuRatio)})`,
      `≥ ${pct(VERIFY_TARGET)}`,
      yes(verify.met),
    ]);
  } else rows.push(['8', 'Protected GET, access token vs secret key', s.oauthVerify ? (s.oauthVerify.skipped ? 'skipped' : 'FAILED') : 'not run', `≥ ${pct(VERIFY_TARGET)}`, '—']);
  return rows;
}

function profileTable(p) {
  return [
    `Profiled: ${us(p.usPerRequest)} per request (the profiler adds some), of which GC ${pct(p.gcShare)}.`,
    '',
    table(['Top self time', 'µs/request', 'share'], p.topSelf.slice(0, 15).map((r) => [`\`${r.fn}\``, r.usPerRequest.toFixed(2), pct(r.share)])),
    '',
    table(['Tessera function (inclusive)', 'µs/request', 'share'], p.oursInclusive.slice(0, 10).map((r) => [`\`${r.fn}\``, r.usPerRequest.toFixed(2), pct(r.share)])),
    '',
  ].join('\n');
}

export function renderOAuthSections(s) {
  const out = [];
  const h7 = '## 7. Access tokens per second: Tessera vs oidc-provider vs a bare signing route';
  const token = s.oauthToken?.ok ? s.oauthToken.value : null;
  if (token) {
    const names = ['tessera', 'oidc-provider', 'bare'];
    const label = { tessera: 'Tessera', 'oidc-provider': `oidc-provider ${token.oidcProviderVersion}`, bare: 'bare Fastify route' };
    out.push(h7, '');
    out.push(
      'Three server child processes, each pinned to CPU 0 (only one is under load at a time): Tessera (`bench/server-child.js`, production defaults, log level `info`, a client credential created through the API with `permissions: ["accounts.read", …]`); ' +
        `oidc-provider ${token.oidcProviderVersion} (\`bench/oidc-provider-child.js\`: the same client id and secret, client_credentials, resource indicators with \`accessTokenFormat: 'jwt'\` and an Ed25519 key, so RFC 9068 tokens signed with EdDSA through jose and node:crypto (OpenSSL), default in-memory adapter, no request logging); ` +
        'and a bare Fastify route (`bench/bare-jwt-child.js`: no logger, no parsing, no authentication, it only signs an EdDSA JWT with the same claims, with libsodium as Tessera does): the ceiling. ' +
        `One autocannon load generator (\`bench/targets-loadgen.js\`, CPU 1) sends the same request to each: \`POST\` with \`Authorization: Basic base64(client_id:client_secret)\` and \`grant_type=client_credentials&scope=accounts.read\`, ${token.connections} connections, keep-alive; ${token.warmupSec} s of warm-up each, then ${token.rounds.length} rounds of ${token.durationSec} s per server, the order rotated every round and reversed every other one. Every answer must be a 200; before the load, each server's token was checked (EdDSA, \`typ: at+jwt\`, 900 s, the scope asked for) and Tessera's accepted on its protected route.`,
      '',
    );
    out.push(
      table(
        ['Round', 'Order', ...names.map((n) => `${label[n]} req/s (CPU/req, busy)`), 'Tessera / oidc-provider', 'counted'],
        token.rounds.map((r, i) => [
          String(i + 1),
          r.order.map((n) => n[0].toUpperCase()).join(''),
          ...names.map((n) => `${int(r.runs[n].rps)} (${us(r.runs[n].cpuUsPerRequest)}, ${r.runs[n].serverBusy === null ? 'n/a' : pct(r.runs[n].serverBusy)})`),
          times(r.runs.tessera.rps / r.runs['oidc-provider'].rps),
          r.saturated || token.basis === 'all' ? 'yes' : 'no (not saturated)',
        ]),
      ),
      '',
    );
    const t = token.perTarget;
    out.push(
      table(
        ['Median', 'req/s', 'server CPU per token', 'autocannon p50 / p99'],
        names.map((n) => [label[n], int(t[n].rps), us(t[n].cpuUsPerRequest), `${t[n].p50Ms} / ${t[n].p99Ms} ms`]),
      ),
      '',
    );
    const rt = token.ratios;
    out.push(
      `Tessera / oidc-provider: **${times(rt['tessera/oidc-provider'].ratio)}** by throughput (rounds: ${range(rt['tessera/oidc-provider'].perRound, times)}), ${rt['tessera/oidc-provider'].cpuRatio === null ? 'n/a' : times(rt['tessera/oidc-provider'].cpuRatio)} by CPU per token; target ≥ ${TOKEN_TARGET}×. ` +
        `Tessera / bare route: ${pct(rt['tessera/bare'].ratio)} (${rt['tessera/bare'].cpuRatio === null ? 'n/a' : pct(rt['tessera/bare'].cpuRatio)} by CPU); oidc-provider / bare route: ${pct(rt['oidc-provider/bare'].ratio)}. ` +
        (Math.max(...token.rounds.map((r) => r.runs.bare.serverBusy ?? 1)) < token.busyThreshold
          ? `The bare route's server was never ${pct(token.busyThreshold)} busy: one autocannon process on one CPU sent POSTs more slowly than that route answers them, so its rate is the load generator's and its CPU per token (${us(t.bare.cpuUsPerRequest)}) is the ceiling to compare with. `
          : '') +
        'Published anchors for this machine: oidc-provider ~8,500/s, the bare route ~21,000/s; the absolute rates above drift with the load of the VM, the ratios much less.',
      '',
    );
    if (token.profiled) out.push('CPU profile of Tessera under the same load on `/oauth/token` (V8 sampling profiler, 100 µs):', '', profileTable(token.profiled));
  } else out.push(failed(s.oauthToken, h7));

  const h8 = '## 8. Protected GET with an access token vs with a secret key';
  const verify = s.oauthVerify?.ok ? s.oauthVerify.value : null;
  if (verify) {
    out.push(h8, '');
    out.push(
      'One Tessera server child (CPU 0) and `GET /bench/protected` (operation `operations.list`), called alternately with `Authorization: Bearer <access token>` (a client credential\'s token, obtained once at `/oauth/token`) and with `Authorization: Bearer <secret key>` of the same merchant: after the warm-up both are cache hits (the verified token in the verifier\'s map and its client in the credential cache; the key in the credential cache behind its SHA-256 digest). ' +
        `autocannon (\`bench/targets-loadgen.js\`, CPU 1), ${verify.connections} connections, ${verify.warmupSec} s warm-up each, then ${verify.pairs} pairs; a pair is two rounds of ${verify.durationSec} s per route in ABBA order. The token is ${verify.tokenBytes} bytes.`,
      '',
    );
    out.push(
      table(
        ['Pair', 'token req/s (CPU/req)', 'key req/s (CPU/req)', 'ratio', 'min server busy', 'counted'],
        verify.rounds.map((r, i) => [
          String(i + 1),
          `${int(r.runs.token.rps)} (${us(r.runs.token.cpuUsPerRequest)})`,
          `${int(r.runs.key.rps)} (${us(r.runs.key.cpuUsPerRequest)})`,
          pct(r.runs.token.rps / r.runs.key.rps),
          r.runs.token.serverBusy === null ? 'n/a' : pct(Math.min(r.runs.token.serverBusy, r.runs.key.serverBusy)),
          r.saturated || verify.basis === 'all' ? 'yes' : 'no (not saturated)',
        ]),
      ),
      '',
    );
    const r = verify.ratios['token/key'];
    out.push(`Median: token ${int(verify.perTarget.token.rps)} req/s (${us(verify.perTarget.token.cpuUsPerRequest)} CPU/req) vs key ${int(verify.perTarget.key.rps)} req/s (${us(verify.perTarget.key.cpuUsPerRequest)}): **${pct(r.ratio)}** by throughput, ${r.cpuRatio === null ? 'n/a' : pct(r.cpuRatio)} by CPU per request; target ≥ ${pct(VERIFY_TARGET)}.`, '');
    if (verify.profiled) {
      out.push('CPU profiles of the protected route under the same load, with the token, then with the key:', '');
      out.push('**Token**', '', profileTable(verify.profiled.token), '**Key**', '', profileTable(verify.profiled.key));
    }
  } else out.push(failed(s.oauthVerify, h8));
  return out.join('\n');
}
