import type { PageQuery } from '../storage/page-query.js';
import { decodeCursor, page } from './page-cursor.js';

export interface ListOptions {
  limit: number;
  /** `nextCursor` of the previous page. */
  before?: string | undefined;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Newest first, `limit` at a time, with the same opaque cursors as the audit log and events. */
export async function paginate<T extends { id: string; createdAt: number }>(options: ListOptions, fetch: (query: PageQuery) => Promise<T[]>): Promise<Page<T>> {
  const rows = await fetch({ limit: options.limit + 1, before: options.before === undefined ? undefined : decodeCursor(options.before) });
  const { items, nextCursor } = page(rows, options.limit);
  return { data: items, nextCursor };
}
