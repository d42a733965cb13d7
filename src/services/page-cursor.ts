import { TesseraError } from '../domain/errors.js';

/** An opaque "older than this one" cursor for lists ordered by (createdAt, id) descending. */
export function encodeCursor(item: { createdAt: number; id: string }): string {
  return Buffer.from(`${item.createdAt}:${item.id}`).toString('base64url');
}

export function decodeCursor(cursor: string, param = 'before'): { createdAt: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const createdAt = Number(text.slice(0, colon));
  if (colon === -1 || !Number.isSafeInteger(createdAt)) {
    throw new TesseraError('invalid_field', `\`${param}\` is not a cursor this API returned: pass nextCursor from the previous page unchanged.`, { param });
  }
  return { createdAt, id: text.slice(colon + 1) };
}

/** Lists ask for one more item than the page holds: its presence means there is a next page. */
export function page<T extends { createdAt: number; id: string }>(items: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const shown = items.slice(0, limit);
  return { items: shown, nextCursor: items.length > limit ? encodeCursor(shown[shown.length - 1]!) : null };
}
