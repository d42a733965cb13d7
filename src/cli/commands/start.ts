import { parseArgs } from 'node:util';
import { createTessera } from '../../app.js';
import { loadConfig } from '../../config.js';
import type { Output } from '../output.js';

export async function startCommand(args: string[], out: Output): Promise<void> {
  parseArgs({ args, options: { json: { type: 'boolean' } } });
  const config = loadConfig();
  const tessera = await createTessera({ config });
  const address = await tessera.listen();
  const base = config.publicUrl;
  const { bootstrap, core } = tessera;
  // A fresh installation has no dashboard user: a one-time link for the first owner, printed only here.
  const firstOwner = await core.members.firstOwnerInvitation(bootstrap.operator);
  const summary = {
    listening: address,
    database: core.opened.describe,
    operatorAccountId: bootstrap.operator.id,
    urls: { dashboard: `${base}/dashboard`, api: `${base}/v1`, docs: `${base}/docs`, openapi: `${base}/openapi.json`, health: `${base}/healthz`, metrics: `${base}/metrics` },
    masterKeyFile: core.generatedMasterKeyFile,
    bootstrapKeys: bootstrap.issued,
    firstOwnerLink: firstOwner?.url ?? null,
    firstOwnerLinkExpiresAt: firstOwner === null ? null : new Date(firstOwner.invitation.expiresAt).toISOString(),
  };
  out.result(summary, () => {
    const lines = [
      `Tessera is listening on ${address} (${summary.database}).`,
      `  Dashboard ${summary.urls.dashboard}`,
      `  API       ${summary.urls.api}`,
      `  Docs      ${summary.urls.docs}`,
      `  OpenAPI   ${summary.urls.openapi}`,
      `  Health    ${summary.urls.health}   Metrics ${summary.urls.metrics}`,
      `  Operator  ${bootstrap.operator.id}`,
    ];
    if (core.generatedMasterKeyFile !== null) {
      lines.push('', `Generated a master key at ${core.generatedMasterKeyFile} (mode 0600). Back it up: without it, encrypted secrets can't be read.`);
    }
    if (firstOwner !== null) {
      lines.push(
        '',
        'No dashboard user yet. Open this one-time link to set the first owner\'s email and password',
        `(valid until ${summary.firstOwnerLinkExpiresAt}; restart for a new one, or: tessera users invite):`,
        `  ${firstOwner.url}`,
      );
    }
    if (bootstrap.issued !== null) {
      lines.push(
        '',
        'Bootstrap operator keys, shown this once (store them now):',
        `  sandbox  ${bootstrap.issued.sandbox.secret}`,
        `  live     ${bootstrap.issued.live.secret}`,
        '',
        `Try: curl -H "Authorization: Bearer ${bootstrap.issued.sandbox.secret.slice(0, 16)}…" ${base}/v1/accounts`,
      );
    }
    return lines.join('\n');
  });
  const shutdown = (signal: string) => {
    core.logger.info({ signal }, 'shutting down');
    tessera.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
