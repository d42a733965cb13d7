import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './route-deps.js';
import { isTesseraError, TesseraError } from '../domain/errors.js';
import { validationError } from './validation.js';

export interface ErrorBody {
  error: { type: string; code: string; message: string; param?: string; request_id: string };
}

export function errorBody(error: TesseraError, requestId: string): ErrorBody {
  return {
    error: {
      type: error.type,
      code: error.code,
      message: error.message,
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

/** Malformed HTTP never reaches a route: answer it in the same envelope, then close. */
export function clientErrorResponse(requestId: string): string {
  const body = JSON.stringify(errorBody(new TesseraError('invalid_header', 'The request is not valid HTTP (bad header or request line).'), requestId));
  return `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nrequest-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`;
}
