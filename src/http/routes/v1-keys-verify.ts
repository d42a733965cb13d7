import { Type } from 'typebox';
import { ENVIRONMENTS } from '../../domain/environment.js';
import { TesseraError } from '../../domain/errors.js';
import { getOperation, OPERATIONS } from '../../domain/operations.js';
import { principalOf } from '../authentication.js';
import { extractCredential } from '../credential-extraction.js';
import type { App, RouteDeps } from '../route-deps.js';
import { Nullable, PROTECTED_ERRORS, StringEnum } from '../schemas/common.js';

const VerifyBody = Type.Object(
  {
    credential: Type.String({ minLength: 1, maxLength: 512, description: 'The key your service received, or the whole Authorization header value (Bearer or Basic).' }),
    operation: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The operation it is about to perform; without it only validity is checked.' })),
    environment: Type.Optional(StringEnum(ENVIRONMENTS, { description: "The environment of the request your service received; defaults to, and must be, your own credential's." })),
    ip: Type.Optional(Type.String({ maxLength: 64, description: "The caller's IP as your service saw it, for last-used records." })),
  },
  { additionalProperties: false },
);

const VerifyAnswer = Type.Object({
  valid: Type.Boolean(),
  code: Type.Optional(Type.String({ description: 'Why not, when valid is false: the same codes the API answers with.' })),
  message: Type.Optional(Type.String()),
  principal: Type.Optional(
    Nullable(
      Type.Object({
        accountId: Type.String(),
        accountType: Type.String(),
        environment: Type.String(),
        keyId: Type.String(),
        kind: Type.String(),
        permissions: Type.Array(Type.String()),
      }),
    ),
  ),
});

export function registerVerifyKey(app: App, deps: RouteDeps): void {
  const anyValidKey = getOperation('operations.list');
  app.post('/v1/keys/verify', {
    config: { operation: 'keys.verify' },
    schema: {
      summary: 'Is this credential good for this operation?',
      description: "For the operator's other services. Runs the same checks as every API route and answers valid, or the precise reason it is not.",
      tags: ['Keys'],
      body: VerifyBody,
      response: { 200: VerifyAnswer, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const body = request.body;
      // Environments are fully isolated: a sandbox service key must not learn
      // (or touch the last-used record of) a live credential, nor the reverse.
      const callerEnvironment = principalOf(request).environment;
      if (body.environment !== undefined && body.environment !== callerEnvironment) {
        throw new TesseraError('environment_mismatch', `A ${callerEnvironment} credential can only verify ${callerEnvironment} credentials. Call verify with your ${body.environment} key.`, { param: 'environment' });
      }
      const operation = body.operation === undefined ? anyValidKey : OPERATIONS.get(body.operation);
      if (operation === undefined) {
        throw new TesseraError('unknown_operation', `Unknown operation ${JSON.stringify(body.operation)}. GET /v1/operations lists them.`, { param: 'operation' });
      }
      const header = /^(bearer|basic) /i.test(body.credential) ? { authorization: body.credential } : { 'x-api-key': body.credential };
      const presented = extractCredential(header, []);
      if (presented === null || presented instanceof TesseraError) {
        const error = presented ?? new TesseraError('malformed_credential', 'No credential given.');
        return { valid: false, code: error.code, message: error.message };
      }
      const result = await deps.authenticator.authenticate({
        secret: presented.secret,
        keyId: presented.keyId,
        environment: callerEnvironment,
        operation,
        ip: body.ip ?? request.ip,
        origin: null,
      });
      if (!result.ok) return { valid: false, code: result.error.code, message: result.error.message };
      const p = result.principal;
      return {
        valid: true,
        principal: { accountId: p.accountId, accountType: p.accountType, environment: p.environment, keyId: p.credentialId, kind: p.kind, permissions: [...p.permissions] },
      };
    },
  });
}
