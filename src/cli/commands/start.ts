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
  const summary = {
    listening: address,
    database: core.opened.describe,
    operatorAccountId: bootstrap.operator.id,
    urls: { api: `${base}/v1`, docs: `${base}/docs`, openapi: `${base}/openapi.json`, health: `${base}/healthz`, metrics: `${base}/metrics` },
    masterKeyFile: core.generatedMasterKeyFile,
    bootstrapKeys: bootstrap.issued,
  };
  out.result(summary, () => {
    const lines = [
      `Tessera is listening on ${address} (${summary.database}).`,
      `  API       ${summary.urls.api}`,
      `  Docs      ${summary.urls.docs}`,
      `  OpenAPI   ${summary.urls.openapi}`,
      `  Health    ${summary.urls.health}   Metrics ${summary.urls.metrics}`,
      `  Operator  ${bootstrap.operator.id}`,
    ];
    if (core.generatedMasterKeyFile !== null) {
      lines.push('', `Generated a master key at ${core.generatedMasterKeyFile} (mode 0600). Back it up: without it, encrypted secrets can't be read.`);
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
