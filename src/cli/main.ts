import { ConfigError } from '../config.js';
import { isTesseraError } from '../domain/errors.js';
import { anySecretPattern, redactSecrets } from '../http/log-redaction.js';
import { accountsCommand } from './commands/accounts.js';
import { keysCommand } from './commands/keys.js';
import { masterKeyCommand } from './commands/master-key.js';
import { signingKeysCommand } from './commands/signing-keys.js';
import { migrateCommand } from './commands/migrate.js';
import { startCommand } from './commands/start.js';
import { verifyCommand } from './commands/verify.js';
import { usersCommand } from './commands/users.js';
import { Output, UsageError } from './output.js';

const HELP = `Usage: tessera <command> [options]   (every command takes --json)

  start                                   run the server (migrates first)
  migrate                                 apply database migrations
  accounts create --type merchant|partner --name NAME [--parent ACCOUNT_ID]
  accounts list
  accounts open-live ACCOUNT_ID           open an account's live environment
  keys create --account ID --kind secret|restricted|publishable|client
              [--env sandbox|live] [--permission OP]... [--name NAME]
              [--expires-at ISO8601] [--rate-limit N/SECONDS] [--metadata K=V]...
              [--allow-ip CIDR]... [--hmac | --public-key PEM_OR_FILE]
              [--scheme http-message-signatures|payload-signature] [--token-lifetime SECONDS]
  keys list --account ID [--env sandbox|live] [--include-deleted]
  keys disable|enable|delete --account ID KEY_ID
  keys roll --account ID KEY_ID [--grace SECONDS]
  verify SECRET [--operation OP] [--env sandbox|live]
  users invite --account ID --email EMAIL --role owner|developer|viewer
                                          a one-time dashboard invitation link
  users list                              dashboard users and their accounts
  master-key rotate                       new master key; re-encrypt every sealed value; retire the old
  master-key reencrypt                    re-encrypt under the current key (TESSERA_MASTER_KEY="NEW,OLD")
  signing-keys rotate|list                new access token signing key; old ones published until their tokens expire

Configuration comes from the environment: TESSERA_DATA_DIR, HOST, PORT, DATABASE_URL,
TESSERA_MASTER_KEY, TESSERA_BRAND and more (see README.md).`;

const COMMANDS: Record<string, (args: string[], out: Output) => Promise<void>> = {
  start: startCommand,
  migrate: migrateCommand,
  accounts: accountsCommand,
  keys: keysCommand,
  verify: verifyCommand,
  users: usersCommand,
  'master-key': masterKeyCommand,
  'signing-keys': signingKeysCommand,
};

export async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const out = new Output(json);
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  // With --json, even an unknown command answers one JSON object: scripts parse stdout.
  if (command === undefined && json && !argv.includes('--help') && !argv.includes('-h')) {
    const message = name === undefined || name === '--json' ? 'a command is required' : `unknown command ${name}`;
    process.stdout.write(`${JSON.stringify({ error: { code: 'usage', message: `${message}; run tessera --help` } })}\n`);
    process.exitCode = 2;
    return;
  }
  if (command === undefined || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    process.exitCode = command === undefined && name !== undefined && name !== '--help' && name !== '-h' ? 2 : 0;
    return;
  }
  try {
    await command(rest, out);
  } catch (error) {
    const known = isTesseraError(error);
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    // Messages quote arguments: a secret passed where an id belongs is not printed back.
    const message = redactSecrets(error instanceof Error ? error.message : String(error), anySecretPattern());
    if (json) {
      const code = known ? error.code : usage ? 'usage' : error instanceof ConfigError ? 'configuration' : 'error';
      process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
    } else {
      process.stderr.write(`tessera ${name}: ${message}\n${usage ? `\n${HELP}\n` : ''}`);
    }
    process.exitCode = usage ? 2 : 1;
  }
}
