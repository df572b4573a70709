/** The printed table: one row per measurement, and notes that say what was really sent. */

/** One line of the table. */
export interface Row {
  readonly variant: string;
  readonly seconds: number;
  /** Not measured but derived from a measured sample; printed with a leading `~`. */
  readonly extrapolated: boolean;
  readonly ratio: string;
  readonly target: string;
  readonly result: 'PASS' | 'FAIL' | '';
}

/** What the areas add to as they measure. */
export interface Report {
  readonly rows: Row[];
  readonly notes: string[];
}

/** A measured row; `pass` undefined means the row has no target. */
export function row(
  variant: string,
  seconds: number,
  ratio = '',
  target = '',
  pass?: boolean,
): Row {
  const result = pass === undefined ? '' : pass ? 'PASS' : 'FAIL';

  return { variant, seconds, extrapolated: false, ratio, target, result };
}

/** A row derived from a measured sample rather than timed itself. */
export function extrapolatedRow(variant: string, seconds: number, ratio = ''): Row {
  return { ...row(variant, seconds, ratio), extrapolated: true };
}

/** `12.3x`. */
export const times = (ratio: number) => `${ratio.toFixed(1)}x`;

/** How close ours came to a lower bound: `ours at 74%`. */
export const share = (bound: number, seconds: number) =>
  `ours at ${Math.round((bound / seconds) * 100)}%`;

/** The rows as a Markdown table, padded so it also reads well in a terminal. */
export function formatTable(rows: readonly Row[]): string[] {
  const cells = rows.map((each) => [
    each.variant,
    `${each.extrapolated ? '~' : ''}${each.seconds.toFixed(3)}`,
    each.ratio,
    each.target,
    each.result,
  ]);
  const header = ['variant', 'seconds', 'ratio', 'target', 'result'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => (cell[column] ?? '').length)),
  );
  const line = (cell: readonly string[]) =>
    `| ${cell.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`;

  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)];
}

/** The whole report: facts about the machine, the table, the notes and a verdict. */
export function printReport(report: Report, facts: readonly string[]): void {
  const failed = report.rows.filter((each) => each.result === 'FAIL').length;
  const out = [
    ...facts,
    '',
    ...formatTable(report.rows),
    '',
    ...report.notes,
    failed === 0 ? 'all targets met' : `FAIL: ${failed} target(s) missed`,
  ];

  process.stdout.write(`${out.join('\n')}\n`);
}
