import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { openCore } from '../../app.js';
import { loadConfig } from '../../config.js';
import { generateMasterKey } from '../../crypto/master-key.js';
import { loadMasterKeyring, writeMasterKeyFile } from '../../crypto/master-key-file.js';
import { nudgeServers } from '../../services/control-socket.js';
import { reencryptAll } from '../../services/master-key-rotation.js';
import { UsageError, type Output } from '../output.js';

/** How long servers that share the key file but not the data folder get to notice it (they poll every 2 s). */
const SETTLE_MS = 2500;

/**
 * `rotate`: a new master key becomes current while the old one stays readable;
 * every sealed value is re-encrypted; only then is the old key dropped.
 * Servers keep answering throughout. `reencrypt`: for keys given through
 * TESSERA_MASTER_KEY ("new,old"), re-seal everything under the first.
 */
export async function masterKeyCommand(args: string[], out: Output): Promise<void> {
  const [sub, ...rest] = args;
  parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
  const config = loadConfig();
  if (sub === 'rotate') {
    if (config.masterKey !== undefined) {
      throw new UsageError('the master key comes from TESSERA_MASTER_KEY: set it to "NEW,OLD" (openssl rand -base64 32), restart, run `tessera master-key reencrypt`, then drop OLD');
    }
    const old = loadMasterKeyring({ envValue: undefined, filePath: config.masterKeyFile, createIfMissing: false }).keyring;
    const fresh = generateMasterKey();
    const previous = old.keyIds.map((id) => ({ id, key: old.keyFor(id) }));
    writeMasterKeyFile(config.masterKeyFile, [fresh, ...previous]);
    await nudgeServers(config.dataDir, { command: 'reload-keys' });
    await sleep(SETTLE_MS);
    const report = await reencrypt();
    writeMasterKeyFile(config.masterKeyFile, [fresh]);
    await nudgeServers(config.dataDir, { command: 'reload-keys' });
    const result = { rotated: true, currentKeyId: fresh.id, retiredKeyIds: old.keyIds, reencrypted: report.counts, file: config.masterKeyFile };
    out.result(result, () => `Master key rotated: ${fresh.id} is current, ${old.keyIds.join(', ')} retired. Re-encrypted: ${describe(report.counts)}.`);
    return;
  }
  if (sub === 'reencrypt') {
    const report = await reencrypt();
    out.result({ reencrypted: report.counts }, () => `Re-encrypted under the current master key: ${describe(report.counts)}.`);
    return;
  }
  throw new UsageError('master-key rotate|reencrypt');
}

async function reencrypt() {
  const core = await openCore({ config: loadConfig(), createMasterKey: false, onCredentialChanged: () => {} });
  try {
    return await reencryptAll(core.store.sealedValues, core.keyring, core.unseal);
  } finally {
    await core.close();
  }
}

function describe(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([name, n]) => `${n} in ${name}`)
    .join(', ');
}
