import type { Environment } from './environment.js';
import { TesseraError } from './errors.js';

export const MAX_REDIRECT_URL_LENGTH = 2048;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

/**
 * Where the hosted checkout page sends the customer (Ozura's successUrl,
 * cancelUrl, errorUrl). HTTPS only in live; in sandbox, plain HTTP is allowed
 * for http://localhost and http://127.0.0.1 (local development). Anything else,
 * `javascript:` included, is refused naming the field.
 */
export function parseRedirectUrl(value: string, environment: Environment, param: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TesseraError('invalid_field', `\`${param}\` must be an absolute URL, like https://shop.example/checkout/done.`, { param });
  }
  if (url.username !== '' || url.password !== '') throw new TesseraError('invalid_field', `\`${param}\` must not carry a user name or password.`, { param });
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && environment === 'sandbox' && LOCAL_HOSTS.has(url.hostname)) return url.href;
  const rule = environment === 'live' ? 'must use https:// in live' : 'must use https:// (in sandbox, http://localhost and http://127.0.0.1 are allowed too)';
  throw new TesseraError('invalid_field', `\`${param}\` ${rule}.`, { param });
}

/** The URL with `params` set in its query string, keeping the rest. */
export function withQuery(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}
