import { parseArgs } from 'node:util';
import { openCore } from '../../app.js';
import { loadConfig } from '../../config.js';
import { nudgeServers } from '../../services/control-socket.js';
import { TokenSigningKeys } from '../../services/oauth/token-signing-keys.js';
import { table, UsageError, type Output } from '../output.js';

/**
 * `rotate`: a new key signs access tokens from now on; the old ones stay in
 * the JWKS, and their tokens stay valid, until the longest token lifetime has
 * passed. `list`: the published keys.
 */
export async function signingKeysCommand(args: string[], out: Output): Promise<void> {
  const [sub, ...rest] = args;
  parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
  if (sub !== 'rotate' && sub !== 'list') throw new UsageError('signing-keys rotate|list');
  const config = loadConfig();
  const core = await openCore({ config, createMasterKey: false, onCredentialChanged: () => {} });
  try {
    const keys = new TokenSigningKeys(core.store, core.keyring, core.unseal, (config.oauth.maxTokenLifetimeSeconds + 60) * 1000, core.now);
    await keys.load();
    if (sub === 'rotate') {
      const kid = await keys.rotate();
      await nudgeServers(config.dataDir);
      out.result({ rotated: true, currentKeyId: kid, published: keys.jwks().keys.map((k) => k.kid) }, () => `Access tokens are now signed by ${kid}; older keys stay published until their tokens expire.`);
    } else {
      const published = keys.jwks().keys.map((k) => k.kid);
      out.result({ currentKeyId: keys.signer().kid, published }, () => table([['KID', 'STATUS'], ...published.map((kid) => [kid, kid === keys.signer().kid ? 'current' : 'retiring'])]));
    }
  } finally {
    await core.close();
  }
}
