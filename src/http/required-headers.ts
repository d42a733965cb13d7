import type { preParsingAsyncHookHandler } from 'fastify';
import { TesseraError } from '../domain/errors.js';

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * OneKey's mandatory headers, for the cashout family: every call carries
 * `Content-Type: application/json` and a `User-Agent`. Checked after
 * authentication and before the body is read, so the answer names the
 * missing header rather than a parsing failure.
 */
export const requireOneKeyHeaders: preParsingAsyncHookHandler = async function requireOneKeyHeaders(request) {
  const contentType = request.headers['content-type'];
  if (contentType === undefined || contentType.trim() === '') {
    throw new TesseraError('missing_header', 'This route requires the header Content-Type: application/json on every call (GET included), as OneKey does.', { param: 'Content-Type' });
  }
  if (!JSON_TYPE.test(contentType)) throw new TesseraError('unsupported_media_type', 'Content-Type must be application/json on this route.', { param: 'Content-Type' });
  const userAgent = request.headers['user-agent'];
  if (userAgent === undefined || userAgent.trim() === '') {
    throw new TesseraError('missing_header', 'This route requires a User-Agent header naming your client (e.g. "shop-backend/1.4"), as OneKey does.', { param: 'User-Agent' });
  }
};
