/**
 * Which slice of a long list to draw. Only the rows that fit are rendered, so a 500-ticker
 * table costs the same to redraw as a 20-ticker one and never grows taller than the terminal.
 */

/** The first index to draw so that `selected` stays in view. */
export function windowStart(total: number, selected: number, height: number, previous = 0): number {
  if (height <= 0 || total <= height) return 0;

  let start = Math.min(previous, total - height);
  if (selected < start) start = selected;
  if (selected >= start + height) start = selected - height + 1;

  return Math.max(0, Math.min(start, total - height));
}

/** Move a selection by `delta`, clamped to the list. */
export function moveSelection(selected: number, delta: number, total: number): number {
  if (total === 0) return 0;

  return Math.max(0, Math.min(total - 1, selected + delta));
}
