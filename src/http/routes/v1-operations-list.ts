import { Type } from 'typebox';
import { listOperations } from '../../domain/operations.js';
import type { App } from '../route-deps.js';
import { listOf, PROTECTED_ERRORS } from '../schemas/common.js';

const OperationView = Type.Object({
  name: Type.String(),
  category: Type.String({ description: 'public, account, key_management, operator or membership.' }),
  description: Type.String(),
});

export function registerListOperations(app: App): void {
  app.get('/v1/operations', {
    config: { operation: 'operations.list' },
    schema: {
      summary: 'List every operation a permission can name',
      tags: ['Keys'],
      response: { 200: listOf(OperationView), ...PROTECTED_ERRORS },
    },
    handler: async () => ({ object: 'list' as const, data: listOperations().map(({ name, category, description }) => ({ name, category, description })) }),
  });
}
