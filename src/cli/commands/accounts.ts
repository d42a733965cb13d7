import { parseArgs } from 'node:util';
import { accountView } from '../../views/account-view.js';
import { withCore } from '../context.js';
import { table, UsageError, type Output } from '../output.js';

export async function accountsCommand(args: string[], out: Output): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create': {
      const { values } = parseArgs({ args: rest, options: { type: { type: 'string' }, parent: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } } });
      if (values.type !== 'merchant' && values.type !== 'partner') throw new UsageError('accounts create needs --type merchant|partner');
      if (values.name === undefined || values.name.trim() === '') throw new UsageError('accounts create needs --name NAME');
      const name = values.name;
      const type = values.type;
      const account = await withCore(out, (core) => core.accounts.create(null, { type, name, parentId: values.parent }, core.ctx));
      const view = accountView(account);
      out.result(view, () => `Created ${view.type} ${view.id} (${view.name})${view.parentId ? ` under ${view.parentId}` : ''}.`);
      return;
    }
    case 'list': {
      parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      const accounts = (await withCore(out, (core) => core.accounts.listVisibleTo(null))).map(accountView);
      out.result({ accounts }, () => table([['ID', 'TYPE', 'NAME', 'PARENT', 'LIVE'], ...accounts.map((a) => [a.id, a.type, a.name, a.parentId ?? '-', a.liveEnabled ? 'open' : 'closed'])]));
      return;
    }
    case 'open-live': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean' } } });
      const id = positionals[0];
      if (id === undefined) throw new UsageError('accounts open-live needs an ACCOUNT_ID');
      const account = await withCore(out, async (core) => core.accounts.openLive(await core.accounts.require(id), core.ctx));
      const view = accountView(account);
      out.result(view, () => `The live environment of ${view.id} is open: live keys can be created.`);
      return;
    }
    default:
      throw new UsageError('accounts create|list|open-live');
  }
}
