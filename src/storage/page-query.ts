import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';

/** Keyset pagination, newest first: `before` selects rows strictly older than that row. */
export interface PageQuery {
  limit: number;
  before?: { createdAt: number; id: string } | undefined;
}

/**
 * One page of a table's rows, newest first by (created_at, id): the rows strictly older than
 * `before`, at most `limit`. Every paged list goes through here, so they all order alike.
 */
export function newestFirst<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, page: PageQuery): SelectQueryBuilder<DB, TB, O> {
  const before = page.before;
  const filtered = before === undefined ? query : query.where(sql<SqlBool>`(created_at < ${before.createdAt} or (created_at = ${before.createdAt} and id < ${before.id}))`);
  return filtered.orderBy(sql`created_at`, 'desc').orderBy(sql`id`, 'desc').limit(page.limit);
}
