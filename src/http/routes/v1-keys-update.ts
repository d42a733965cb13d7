import { Type } from 'typebox';
import { TesseraError } from '../../domain/errors.js';
import { getOperation } from '../../domain/operations.js';
import { keyView } from '../../views/key-view.js';
import { principalOf } from '../authentication.js';
import { managementContext, type App, type RouteDeps } from '../route-deps.js';
import { AccountIdParam, KeyIdParam, PROTECTED_ERRORS } from '../schemas/common.js';
import { KeyView, UpdateKeyBody } from '../schemas/key.js';

export function registerUpdateKey(app: App, deps: RouteDeps): void {
  const op = getOperation('keys.update');
  app.patch('/v1/accounts/:accountId/keys/:keyId', {
    config: { operation: op.name },
    schema: {
      summary: 'Enable, disable or rename a key',
      description: '`{"enabled": false}` disables the key on every node before this call returns. Permissions never change: create a new key.',
      tags: ['Keys'],
      params: Type.Object({ accountId: AccountIdParam, keyId: KeyIdParam }),
      body: UpdateKeyBody,
      response: { 200: KeyView, ...PROTECTED_ERRORS },
    },
    handler: async (request) => {
      const { permissions, kind, environment, ...changes } = request.body;
      if (permissions !== undefined) {
        throw new TesseraError('permissions_immutable', "A key's permissions can't change after creation. Create a new restricted key with the permissions you need, move your integration to it, then delete this one.", { param: 'permissions' });
      }
      for (const [field, value] of Object.entries({ kind, environment })) {
        if (value !== undefined) throw new TesseraError('field_immutable', `A key's \`${field}\` can't change. Create a new key instead.`, { param: field });
      }
      const account = await deps.accounts.resolveFor(principalOf(request), request.params.accountId, op);
      return keyView(await deps.keys.update(account, request.params.keyId, changes, managementContext(request)), deps.now());
    },
  });
}
