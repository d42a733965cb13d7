import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { issuedSecretFields, keyView } from '../../views/key-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { CreateKeyBody, IssuedKeyView } from '../schemas/key.js';

export function registerCreateKey(app: App, deps: RouteDeps): void {
  const op = getOperation('keys.create');
  app.post('/v1/accounts/:accountId/keys', {
    config: { operation: op.name },
    schema: {
      summary: 'Create an API key',
      description: 'Answers with the secret, once. Only the digest and the last 4 characters are stored.',
      tags: ['Keys'],
      params: Type.Object({ accountId: AccountIdParam }),
      body: CreateKeyBody,
      response: { 201: IssuedKeyView, ...PROTECTED_ERRORS },
    },
    handler: async (request, reply) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      const { expiresAt, generateHMAC, signingPublicKey, signatureScheme, ...rest } = request.body;
      const issued = await deps.keys.create(
        account,
        { ...rest, expiresAt: expiresAt == null ? null : Date.parse(expiresAt), signing: { generateHmac: generateHMAC, publicKey: signingPublicKey, scheme: signatureScheme } },
        managementContext(request),
      );
      return reply.code(201).send({ ...keyView(issued.credential, deps.now()), ...issuedSecretFields(issued.credential, issued.secret), ...(issued.hmacKey && { hmacKey: issued.hmacKey }) });
    },
  });
}
