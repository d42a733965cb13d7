import { Type, type TSchema, type TUnsafe } from 'typebox';

/** A string enum as plain JSON Schema `enum`, which gives clear validation messages. */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export function Nullable<T extends TSchema>(schema: T, options: Record<string, unknown> = {}) {
  return Type.Union([schema, Type.Null()], options);
}

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      type: Type.String({ description: 'Error family: invalid_request_error, authentication_error, permission_error, ...' }),
      code: Type.String({ description: 'Stable machine-readable code; see docs/errors.md.' }),
      message: Type.String({ description: 'What is wrong and how to fix it. Never contains a secret.' }),
      param: Type.Optional(Type.String({ description: 'The field or header at fault.' })),
      request_id: Type.String(),
    }),
  },
  { description: 'Every error answers in this envelope.' },
);

export const Metadata = Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 500 }), {
  maxProperties: 20,
  // TypeBox drops the key schema's maxLength (keys become `^.*$`): state it again.
  propertyNames: { maxLength: 40 },
  description: 'Up to 20 string values of your own (keys at most 40 characters, values at most 500).',
});

export const Timestamp = Type.String({ format: 'date-time' });

export const AccountIdParam = Type.String({ minLength: 1, maxLength: 64, description: 'Account id (acct_…).' });
export const KeyIdParam = Type.String({ minLength: 1, maxLength: 64, description: 'Key id (key_…).' });

/** Standard error responses of a protected route, for the OpenAPI document. */
export const PROTECTED_ERRORS = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  429: ErrorResponse,
};

export function listOf<T extends TSchema>(item: T) {
  return Type.Object({ object: Type.Literal('list'), data: Type.Array(item) });
}
