import type { FastifyRequest } from 'fastify';
import type { SignedMessage } from '../domain/signatures/signed-message.js';

/**
 * A Fastify request as signature verification sees it: the URL exactly as the
 * client sent it (before the /sandbox or /live prefix is stripped), the scheme
 * and host as the client used them (through trusted proxies), the raw body.
 */
export function signedMessageOf(request: FastifyRequest): SignedMessage {
  const url = request.originalUrl;
  const q = url.indexOf('?');
  const headers = request.headers;
  return {
    method: request.method,
    scheme: request.protocol,
    authority: request.host.toLowerCase(),
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? null : url.slice(q + 1),
    header: (name) => {
      const value = headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    body: request.rawBody,
  };
}
