import { parseArgs } from 'node:util';
import { isRole, ROLES } from '../../domain/roles.js';
import { invitationView, userView } from '../../views/dashboard-view.js';
import { withCore } from '../context.js';
import { table, UsageError, type Output } from '../output.js';

/** Dashboard users: the operator invites them (a one-time link) and lists them. */
export async function usersCommand(args: string[], out: Output): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'invite': {
      const { values } = parseArgs({ args: rest, options: { account: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, json: { type: 'boolean' } } });
      if (values.account === undefined) throw new UsageError('users invite needs --account ACCOUNT_ID');
      if (values.email === undefined || values.email.trim() === '') throw new UsageError('users invite needs --email EMAIL');
      const role = values.role ?? 'viewer';
      if (!isRole(role)) throw new UsageError(`users invite --role must be ${ROLES.join(', ')}`);
      const accountId = values.account;
      const email = values.email;
      const issued = await withCore(out, async (core) => core.members.invite(await core.accounts.require(accountId), { email, role }, core.ctx));
      const view = { ...invitationView(issued.invitation), url: issued.url };
      out.result(view, () => `Invited ${view.email} as ${view.role} of ${view.accountId}. Send them this one-time link (valid until ${view.expiresAt}):\n  ${view.url}`);
      return;
    }
    case 'list': {
      parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      const users = (await withCore(out, (core) => core.members.listUsers())).map(({ user, memberships }) => ({
        ...userView(user),
        disabled: user.disabledAt !== null,
        memberships: memberships.map((m) => ({ accountId: m.accountId, role: m.role })),
      }));
      out.result({ users }, () =>
        users.length === 0
          ? 'No dashboard user yet: npm start prints a link for the first owner, or run tessera users invite.'
          : table([['ID', 'EMAIL', 'NAME', 'ACCOUNTS'], ...users.map((u) => [u.id, u.email, u.name, u.memberships.map((m) => `${m.accountId}:${m.role}`).join(' ')])]),
      );
      return;
    }
    default:
      throw new UsageError('users invite|list');
  }
}
