/** Keyset pagination, newest first: `before` selects rows strictly older than that row. */
export interface PageQuery {
  limit: number;
  before?: { createdAt: number; id: string } | undefined;
}
