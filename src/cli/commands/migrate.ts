import { parseArgs } from 'node:util';
import { openCore } from '../../app.js';
import { loadConfig } from '../../config.js';
import type { Output } from '../output.js';

export async function migrateCommand(args: string[], out: Output): Promise<void> {
  parseArgs({ args, options: { json: { type: 'boolean' } } });
  // Opening the core applies every pending migration.
  const core = await openCore({ config: loadConfig(), createMasterKey: true, onCredentialChanged: () => {} });
  const database = core.opened.describe;
  await core.close();
  out.result({ migrated: true, database }, () => `${database} is at the latest schema.`);
}
