import { randomBase62 } from '../domain/base62.js';

/**
 * Request ids: a random per-process prefix and a counter. Unique across
 * processes, and cheap enough to give every response one.
 */
export function requestIdGenerator(): () => string {
  const prefix = `req_${randomBase62(10)}`;
  let counter = 0;
  return () => prefix + (counter++).toString(36).padStart(6, '0');
}
