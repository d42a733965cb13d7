import { TesseraError } from '../domain/errors.js';
import type { PageQuery } from '../storage/page-query.js';

export interface ListOptions {
  limit: number;
  /** `nextCursor` of the previous page. */
  before?: string | undefined;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** An opaque "older than this one" cursor for lists ordered by (createdAt, id) descending. */
function encodeCursor(item: { createdAt: number; id: string }): string {
  return Buffer.from(`${item.createdAt}:${item.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const createdAt = Number(text.slice(0, colon));
  if (colon === -1 || !Number.isSafeInteger(createdAt)) {
    throw new TesseraError('invalid_field', '`before` is not a cursor this API returned: pass nextCursor from the previous page unchanged.', { param: 'before' });
  }
  return { createdAt, id: text.slice(colon + 1) };
}

/**
 * Newest first, `limit` at a time, with one opaque cursor format for every list.
 * It asks for one more row than the page holds: its presence means there is a next page.
 */
export async function paginate<T extends { id: string; createdAt: number }>(options: ListOptions, fetch: (query: PageQuery) => Promise<T[]>): Promise<Page<T>> {
  const rows = await fetch({ limit: options.limit + 1, before: options.before === undefined ? undefined : decodeCursor(options.before) });
  const data = rows.slice(0, options.limit);
  return { data, nextCursor: rows.length > options.limit ? encodeCursor(data[data.length - 1]!) : null };
}
