import { isUtf8 } from 'node:buffer';
import type { FastifyRequest } from 'fastify';
import { TesseraError } from '../domain/errors.js';
import type { App } from './route-deps.js';

/**
 * application/x-www-form-urlencoded, for the OAuth endpoints (RFC 6749 uses
 * forms). A repeated parameter becomes an array, so the endpoint can refuse it.
 * The scope takes forms only: a JSON body would otherwise be read as if it were
 * a form (its values need not even be strings), so every inherited parser goes.
 */
export function registerFormBodyParser(app: App): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/x-www-form-urlencoded(;|$)/, { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer, done) => {
    request.rawBody = body;
    if (!isUtf8(body)) return done(new TesseraError('invalid_utf8', 'The request body is not valid UTF-8.'), undefined);
    const form: Record<string, string | string[]> = {};
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
      const existing = form[name];
      form[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    done(null, form);
  });
}
