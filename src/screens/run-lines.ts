/** Text of the Run screen that is worked out from the rows, kept apart from the layout. */
import type { TickerRow, TickerRowStatus } from '../services/run-model.js';

type Group =
  'running' | 'queued' | 'done' | 'empty' | 'stored' | 'failed' | 'cancelled' | 'not started';

// In-flight states are one group: an operator scanning a long run asks "how many are moving",
// not which step each of them is at.
const groupOf: Record<TickerRowStatus, Group> = {
  downloading: 'running',
  retry: 'running',
  uploading: 'running',
  queued: 'queued',
  done: 'done',
  empty: 'empty',
  stored: 'stored',
  failed: 'failed',
  cancelled: 'cancelled',
  'not started': 'not started',
};

// The summary lists the groups in the order above.
const order = [...new Set(Object.values(groupOf))];

/**
 * What the rows outside the drawn window are doing, e.g. `↓ 412 more: 8 running, 380 queued,
 * 20 done, 4 failed`; `↑` counts the rows above the window, `↓` those below it.
 */
export function hiddenSummary(rows: readonly TickerRow[], start: number, shown: number): string {
  const hidden = [...rows.slice(0, start), ...rows.slice(start + shown)];
  const counts = new Map<Group, number>();
  for (const row of hidden) {
    const group = groupOf[row.status];
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }

  const below = rows.length - start - shown;
  const where = [start > 0 ? `↑ ${start}` : '', below > 0 ? `↓ ${below}` : ''];
  const what = order.filter((group) => counts.has(group)).map((g) => `${counts.get(g)} ${g}`);

  return `${where.filter(Boolean).join(' ')} more: ${what.join(', ')}`;
}
