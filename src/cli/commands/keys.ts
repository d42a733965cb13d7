import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SIGNATURE_SCHEMES, type SignatureScheme } from '../../domain/signatures/signing-keys.js';
import { isEnvironment } from '../../domain/environment.js';
import type { CredentialKind } from '../../domain/principal.js';
import type { RateLimit } from '../../domain/rate-limiter.js';
import { issuedSecretFields, keyView } from '../../views/key-view.js';
import { withCore } from '../context.js';
import { table, UsageError, type Output } from '../output.js';

const KINDS: readonly CredentialKind[] = ['secret', 'restricted', 'publishable', 'client'];

function parseRateLimit(text: string | undefined): RateLimit | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)s?$/.exec(text);
  if (match === null) throw new UsageError('--rate-limit takes REQUESTS/SECONDS, e.g. 100/60');
  return { requests: Number(match[1]), windowSeconds: Number(match[2]) };
}

function parseMetadata(pairs: string[] | undefined): Record<string, string> | undefined {
  if (pairs === undefined) return undefined;
  return Object.fromEntries(
    pairs.map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError('--metadata takes KEY=VALUE');
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

function parseExpiry(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new UsageError('--expires-at takes an ISO 8601 time, e.g. 2030-01-31T00:00:00Z');
  return at;
}

function parseScheme(text: string | undefined): SignatureScheme | undefined {
  if (text === undefined) return undefined;
  if (!(SIGNATURE_SCHEMES as readonly string[]).includes(text)) throw new UsageError(`--scheme takes ${SIGNATURE_SCHEMES.join(' or ')}`);
  return text as SignatureScheme;
}

/** --public-key takes the key itself or the path of a PEM file. */
function readPublicKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return existsSync(value) ? readFileSync(value, 'utf8') : value;
}

export async function keysCommand(args: string[], out: Output): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      account: { type: 'string' },
      kind: { type: 'string' },
      env: { type: 'string' },
      permission: { type: 'string', multiple: true },
      name: { type: 'string' },
      'expires-at': { type: 'string' },
      'rate-limit': { type: 'string' },
      metadata: { type: 'string', multiple: true },
      grace: { type: 'string' },
      hmac: { type: 'boolean' },
      'public-key': { type: 'string' },
      scheme: { type: 'string' },
      'allow-ip': { type: 'string', multiple: true },
      'token-lifetime': { type: 'string' },
      'include-deleted': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const accountId = values.account;
  if (accountId === undefined) throw new UsageError(`keys ${sub ?? ''} needs --account ACCOUNT_ID`);
  const env = values.env;
  if (env !== undefined && !isEnvironment(env)) throw new UsageError('--env takes sandbox or live');

  switch (sub) {
    case 'create': {
      const kind = values.kind as CredentialKind;
      if (!KINDS.includes(kind)) throw new UsageError(`keys create needs --kind ${KINDS.join('|')}`);
      const issued = await withCore(out, async (core) =>
        core.keys.create(
          await core.accounts.require(accountId),
          {
            kind,
            environment: env,
            name: values.name,
            permissions: values.permission,
            expiresAt: parseExpiry(values['expires-at']),
            rateLimit: parseRateLimit(values['rate-limit']),
            metadata: parseMetadata(values.metadata),
            allowedIps: values['allow-ip'],
            tokenLifetimeSeconds: values['token-lifetime'] === undefined ? undefined : Number(values['token-lifetime']),
            signing: { generateHmac: values.hmac, publicKey: readPublicKey(values['public-key']), scheme: parseScheme(values.scheme) },
          },
          core.ctx,
        ),
      );
      const view = { ...keyView(issued.credential, Date.now()), ...issuedSecretFields(issued.credential, issued.secret), ...(issued.hmacKey && { hmacKey: issued.hmacKey }) };
      out.result(view, () => {
        const signing = issued.hmacKey ? `\n\nSigning secret (${view.signing?.scheme}):\n\n  ${issued.hmacKey}` : view.signing ? `\n\nRequests must be signed with your Ed25519 private key (keyid ${view.id}).` : '';
        const shown = 'clientSecret' in view ? `client_id      ${view.clientId}\n  client_secret  ${view.clientSecret}` : view.secret;
        return `Created ${view.kind} key ${view.id} (${view.environment}).\n\n  ${shown}${signing}\n\nStore it now: it will not be shown again.`;
      });
      return;
    }
    case 'list': {
      const keys = await withCore(out, async (core) =>
        core.keys.list(await core.accounts.require(accountId), { ...core.ctx, environment: env ?? null }, { includeDeleted: values['include-deleted'] ?? false }),
      );
      const views = keys.map((k) => keyView(k, Date.now()));
      out.result({ keys: views }, () =>
        table([['ID', 'ENV', 'KIND', 'NAME', 'KEY', 'STATUS', 'LAST USED'], ...views.map((k) => [k.id, k.environment, k.kind, k.name, k.redactedSecret, k.status, k.lastUsedAt ?? 'never'])]),
      );
      return;
    }
    case 'disable':
    case 'enable':
    case 'delete':
    case 'roll': {
      const keyId = positionals[0];
      if (keyId === undefined) throw new UsageError(`keys ${sub} needs a KEY_ID`);
      if (sub === 'roll') {
        const grace = Number(values.grace ?? '0');
        const rolled = await withCore(out, async (core) => core.keys.roll(await core.accounts.require(accountId), keyId, grace, core.ctx));
        const view = { ...keyView(rolled.credential, Date.now()), ...issuedSecretFields(rolled.credential, rolled.secret), previousSecretExpiresAt: new Date(rolled.previousSecretExpiresAt).toISOString() };
        out.result(view, () => `Rolled ${view.id}. New secret:\n\n  ${'clientSecret' in view ? view.clientSecret : view.secret}\n\nThe old secret works until ${view.previousSecretExpiresAt}. Store the new one now: it will not be shown again.`);
        return;
      }
      const credential = await withCore(out, async (core) => {
        const account = await core.accounts.require(accountId);
        return sub === 'delete' ? core.keys.delete(account, keyId, core.ctx) : core.keys.update(account, keyId, { enabled: sub === 'enable' }, core.ctx);
      });
      const view = keyView(credential, Date.now());
      out.result(view, () => `${view.id} is now ${view.status}.`);
      return;
    }
    default:
      throw new UsageError('keys create|list|disable|enable|delete|roll');
  }
}
