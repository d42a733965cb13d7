import { parseArgs } from 'node:util';
import { isEnvironment } from '../../domain/environment.js';
import { OPERATIONS } from '../../domain/operations.js';
import { createAuthenticator } from '../../app.js';
import { UsageRecorder } from '../../services/usage-recorder.js';
import { withCore } from '../context.js';
import { UsageError, type Output } from '../output.js';

export async function verifyCommand(args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { operation: { type: 'string' }, env: { type: 'string' }, json: { type: 'boolean' } } });
  const secret = positionals[0];
  if (secret === undefined) throw new UsageError('verify needs a SECRET');
  const operation = OPERATIONS.get(values.operation ?? 'operations.list');
  if (operation === undefined) throw new UsageError(`unknown operation ${values.operation}; see GET /v1/operations`);
  const env = values.env ?? null;
  if (env !== null && !isEnvironment(env)) throw new UsageError('--env takes sandbox or live');
  const result = await withCore(out, async (core) => {
    const usage = new UsageRecorder(async () => {});
    const authenticator = createAuthenticator(core, usage, { seenBefore: () => false });
    return authenticator.authenticate({ secret, keyId: null, environment: env, operation, ip: 'cli', origin: null });
  });
  if (result.ok) {
    const p = result.principal;
    const principal = { accountId: p.accountId, accountType: p.accountType, environment: p.environment, keyId: p.credentialId, kind: p.kind, permissions: [...p.permissions] };
    out.result({ valid: true, principal }, () => `valid: ${p.kind} key ${p.credentialId} of ${p.accountId} (${p.environment}) may perform ${operation.name}`);
  } else {
    out.result({ valid: false, code: result.error.code, message: result.error.message }, () => `not valid (${result.error.code}): ${result.error.message}`);
    process.exitCode = 1;
  }
}
