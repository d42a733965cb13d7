import { userInfo } from 'node:os';
import { openCore, type Core } from '../app.js';
import { loadConfig } from '../config.js';
import { ensureOperator } from '../services/bootstrap.js';
import { nudgeServers } from '../services/control-socket.js';
import type { ManagementContext } from '../services/management-context.js';
import type { Output } from './output.js';

export interface CliCore extends Core {
  ctx: ManagementContext;
  /** Credentials this command changed: running servers are told before the command exits. */
  changed: Set<string>;
}

/** Opens storage as the operator's CLI; the callback's changes are in force everywhere when it returns. */
export async function withCore<T>(out: Output, work: (core: CliCore) => Promise<T>): Promise<T> {
  const changed = new Set<string>();
  const base = await openCore({ config: loadConfig(), createMasterKey: true, onCredentialChanged: (id) => {
    changed.add(id);
  } });
  const core: CliCore = {
    ...base,
    changed,
    ctx: { actor: { type: 'cli', id: `cli:${userInfo().username}`, credentialId: null, ip: null, requestId: null }, environment: null, principal: null },
  };
  try {
    const boot = await ensureOperator(core.store, core.keys, core.now);
    if (boot.issued !== null) {
      out.notice(`Created the operator account ${boot.operator.id}. Its bootstrap keys, shown this once:`);
      out.notice(`  sandbox  ${boot.issued.sandbox.secret}`);
      out.notice(`  live     ${boot.issued.live.secret}`);
    }
    const result = await work(core);
    if (changed.size > 0) await nudgeServers(core.config.dataDir);
    return result;
  } finally {
    await core.close();
  }
}
