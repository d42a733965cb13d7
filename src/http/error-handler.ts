import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './route-deps.js';
import { isTesseraError, TesseraError } from '../domain/errors.js';
import { anySecretPattern, redactSecrets } from './log-redaction.js';
import { validationError } from './validation.js';

export interface ErrorBody {
  error: { type: string; code: string; message: string; param?: string; request_id: string };
}

const SECRET_SHAPED = anySecretPattern();

export function errorBody(error: TesseraError, requestId: string): ErrorBody {
  return {
    error: {
      type: error.type,
      code: error.code,
      // Messages may quote what the caller sent (an id, a path): a secret pasted
      // there by mistake must not come back, nor reach whatever logs responses.
      message: redactSecrets(error.message, SECRET_SHAPED),
      ...(error.param !== undefined && { param: error.param }),
      request_id: requestId,
    },
  };
}

export function sendError(reply: FastifyReply, error: TesseraError): FastifyReply {
  if (error.headers !== undefined) reply.headers(error.headers);
  return reply.code(error.status).type('application/json; charset=utf-8').send(errorBody(error, reply.request.id));
}

/** Fastify's own errors for bad input, translated into the catalogue. */
function fromFastifyError(error: FastifyError): TesseraError | null {
  if (error.validation !== undefined) return validationError(error.validation as never, error.validationContext ?? 'body');
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TesseraError('body_too_large', 'The request body is larger than this server accepts. Send a smaller body.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TesseraError('unsupported_media_type', 'Unsupported Content-Type: send the body as application/json.', { param: 'Content-Type' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new TesseraError('invalid_json', 'The request body is empty: send a JSON object.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new TesseraError('invalid_header', 'Content-Length does not match the body sent.', { param: 'Content-Length' });
    case 'FST_ERR_CTP_INVALID_TYPE':
    case 'FST_ERR_CTP_INVALID_HEADER':
      return new TesseraError('invalid_header', 'The Content-Type header is malformed.', { param: 'Content-Type' });
    default:
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        return new TesseraError('invalid_request', 'The request could not be read. Check its headers and body.');
      }
      return null;
  }
}

export function registerErrorHandling(app: App): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = isTesseraError(error) ? error : fromFastifyError(error);
    if (known !== null) return sendError(reply, known);
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new TesseraError('internal_error', 'Something went wrong on our side. Retry later; if it persists, report this request id.'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.header('request-id', request.id);
    return sendError(reply, new TesseraError('route_not_found', `There is no ${request.method} ${request.url.split('?')[0]} route. The API reference is at /docs.`));
  });
}

/** Fastify's own routing failures (a broken %-escape, an over-long path segment), in the envelope. */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // No route ran, so no hook set the request id; and the path is not quoted: it may hold a secret.
  reply.header('request-id', request.id);
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'A segment of the URL path is longer than any id. Check the URL.'
      : 'The URL path is not valid: each % must start a percent-encoded UTF-8 character (e.g. %20). Check the URL.';
  sendError(reply, new TesseraError('invalid_request', message, { param: 'path' }));
}

/** Malformed HTTP never reaches a route: answer it in the same envelope, then close. */
export function clientErrorResponse(requestId: string, head = false): string {
  const body = JSON.stringify(errorBody(new TesseraError('invalid_header', 'The request is not valid HTTP (bad header or request line).'), requestId));
  return `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nrequest-id: ${requestId}\r\nConnection: close\r\n\r\n${head ? '' : body}`;
}
