import { Type } from 'typebox';
import { getOperation } from '../../domain/operations.js';
import { keyView } from '../../views/key-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, KeyIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { KeyView } from '../schemas/key.js';

export function registerDeleteKey(app: App, deps: RouteDeps): void {
  const op = getOperation('keys.delete');
  app.delete('/v1/accounts/:accountId/keys/:keyId', {
    config: { operation: op.name },
    schema: {
      summary: 'Delete a key now',
      description: 'Immediate and final on every node: the key and anything derived from it stop working.',
      tags: ['Keys'],
      params: Type.Object({ accountId: AccountIdParam, keyId: KeyIdParam }),
      response: { 200: KeyView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      return keyView(await deps.keys.delete(account, request.params.keyId, managementContext(request)), deps.now());
    },
  });
}
