import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { SignedMessage } from '../domain/signatures/signed-message.js';

/**
 * A Fastify request as signature verification sees it: the URL exactly as the
 * client sent it (before the /sandbox or /live prefix is stripped), the scheme
 * and host as the client used them (through trusted proxies), the raw body.
 * A class, so that `header` is one method on its prototype rather than a
 * closure made for every signed request.
 */
class RequestAsSignedMessage implements SignedMessage {
  readonly method: string;
  readonly scheme: 'http' | 'https';
  readonly authority: string;
  readonly path: string;
  readonly query: string | null;
  readonly body: Buffer | null;
  readonly #headers: IncomingHttpHeaders;

  constructor(request: FastifyRequest) {
    const url = request.originalUrl;
    const q = url.indexOf('?');
    this.method = request.method;
    this.scheme = request.protocol;
    this.authority = request.host.toLowerCase();
    this.path = q === -1 ? url : url.slice(0, q);
    this.query = q === -1 ? null : url.slice(q + 1);
    this.body = request.rawBody;
    this.#headers = request.headers;
  }

  header(name: string): string | undefined {
    const value = this.#headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

export function signedMessageOf(request: FastifyRequest): SignedMessage {
  return new RequestAsSignedMessage(request);
}
