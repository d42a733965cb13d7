import { isUtf8 } from 'node:buffer';
import secureJson from 'secure-json-parse';
import type { FastifyRequest } from 'fastify';
import type { App } from './route-deps.js';
import { TesseraError } from '../domain/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact bytes received, for signatures and idempotency fingerprints. */
    rawBody: Buffer | null;
  }
}

/**
 * JSON bodies are parsed from the raw bytes: invalid UTF-8 is refused rather
 * than silently replaced, prototype poisoning keys are refused, and the bytes
 * are kept for request signatures.
 */
export function registerJsonBodyParser(app: App): void {
  app.decorateRequest('rawBody', null);
  // The API speaks JSON only: without this, a text/plain body would be parsed
  // as a string and refused with a misleading "must be an object" instead of 415.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  // Fastify tests the pattern against the whole header, parameters included
  // (`application/json; charset="utf-8"`), so it must not end at `json`.
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json(;|$)/, { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer, done) => {
    request.rawBody = body;
    if (body.length === 0) return done(new TesseraError('invalid_json', 'The request body is empty: send a JSON object, or no Content-Type header.'), undefined);
    if (!isUtf8(body)) return done(new TesseraError('invalid_utf8', 'The request body is not valid UTF-8: encode the JSON as UTF-8.'), undefined);
    try {
      done(null, secureJson.parse(body.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      // V8's messages quote the input, which may hold a secret: report only where it broke.
      // secure-json-parse reports a poisoning key as a SyntaxError too: tell them apart by its message.
      const forbiddenKey = error instanceof Error && error.message.includes('forbidden prototype property');
      const position = error instanceof SyntaxError ? /position (\d+)/.exec(error.message)?.[1] : undefined;
      const where = position === undefined ? '' : ` near byte ${position}`;
      const message = forbiddenKey ? 'The request body uses a forbidden key (__proto__ or constructor.prototype): remove it.' : `The request body is not valid JSON${where}.`;
      done(new TesseraError('invalid_json', message), undefined);
    }
  });
}
