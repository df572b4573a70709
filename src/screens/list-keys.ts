/**
 * The navigation keys every scrolling list shares, in one place so that each list moves the
 * same way and its help line (`listKeys` in keys.ts) cannot drift from what is handled.
 */
import type { Key } from 'ink';
import type { ListCursor } from './hooks/use-list-cursor.js';

/** Move `cursor` when the key is a list key; false when it is not one, so the caller goes on. */
export function moveByKey(
  input: string,
  key: Key,
  cursor: ListCursor,
  total: number,
  page: number,
): boolean {
  const step = stepOf(input, key, page);
  if (step !== undefined) cursor.move(step, total);
  else if (key.home || input === 'g') cursor.set(0);
  else if (key.end || input === 'G') cursor.set(Math.max(0, total - 1));
  else return false;

  return true;
}

function stepOf(input: string, key: Key, page: number): number | undefined {
  if (key.upArrow || input === 'k') return -1;
  if (key.downArrow || input === 'j') return 1;
  if (key.pageUp) return -page;
  if (key.pageDown) return page;

  return undefined;
}
