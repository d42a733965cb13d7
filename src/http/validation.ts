import AjvModule, { type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { TesseraError } from '../domain/errors.js';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

function makeAjv(coerceTypes: boolean) {
  const ajv = new Ajv({ allErrors: false, removeAdditional: false, useDefaults: true, coerceTypes, strict: false });
  addFormats(ajv);
  // OpenAPI annotations that appear in route schemas.
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}

/** Bodies are JSON: their types are never coerced. Query strings and path parameters are text. */
const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema);

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query string', params: 'path', headers: 'header' };

function fieldPath(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').filter((p) => p !== '');
  if (child !== undefined) parts.push(child);
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Turns the first schema violation into an error that names the field and says how to fix it. */
export function validationError(errors: ErrorObject[], part: string): TesseraError {
  const where = PART_NAMES[part] ?? part;
  const error = errors[0];
  if (error === undefined) return new TesseraError('invalid_request', `The request ${where} is invalid.`);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = fieldPath(error.instancePath, String(params.additionalProperty));
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return new TesseraError('unknown_field', `Unknown field \`${field}\` in the ${where}: remove it.${allowed.length > 0 ? ` Allowed: ${allowed.join(', ')}.` : ''}`, { param: field });
    }
    case 'required': {
      const field = fieldPath(error.instancePath, String(params.missingProperty));
      return new TesseraError('missing_field', `\`${field}\` is required in the ${where}.`, { param: field });
    }
    default: {
      const field = fieldPath(error.instancePath);
      if (field === '') {
        return new TesseraError('invalid_request', `The ${where} ${error.message ?? 'is invalid'}${error.keyword === 'type' ? ': send a JSON object' : ''}.`, { param: part });
      }
      // A rule on the keys of an object (propertyNames), not on a value.
      if (error.propertyName !== undefined) return new TesseraError('invalid_field', `Keys of \`${field}\` ${describe(error)}.`, { param: field });
      return new TesseraError('invalid_field', `\`${field}\` ${describe(error)}.`, { param: field });
    }
  }
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return `must be ${article(String(params.type))}`;
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters`;
    case 'minLength':
      return Number(params.limit) === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`;
    case 'maximum':
      return `must be at most ${String(params.limit)}`;
    case 'minimum':
      return `must be at least ${String(params.limit)}`;
    case 'maxItems':
      return `must have at most ${String(params.limit)} entries`;
    case 'minItems':
      return `must have at least ${String(params.limit)} entries`;
    case 'maxProperties':
      return `must have at most ${String(params.limit)} entries`;
    case 'format':
      return `must be a valid ${String(params.format)}${params.format === 'date-time' ? ' (RFC 3339, e.g. 2030-01-31T00:00:00Z)' : ''}`;
    case 'pattern':
      return `has an invalid format (expected ${String(params.pattern)})`;
    default:
      return error.message ?? 'is invalid';
  }
}

function article(type: string): string {
  const words = type.split(',').map((t) => (t === 'integer' ? 'an integer' : t === 'object' ? 'an object' : t === 'array' ? 'an array' : t === 'null' ? 'null' : `a ${t}`));
  return words.join(' or ');
}
