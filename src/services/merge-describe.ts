/** A merge in the operator's words: one line for the set of parts, one for the manifest. */
import type { DayMerge } from './merge-day.js';
import { ExitCode } from './errors.js';

/** The lines `--run-today --merge` and the end of `--shards N --local` print. */
export function formatMerge(merge: DayMerge): string[] {
  const { count, present } = merge;
  const label = (index: number) => `${index}/${count}`;
  const head = `merge ${merge.date}: ${present.length} of ${count} shards`;
  const lines: string[] = [];

  const tickers = merge.manifest?.tickers ?? [];
  const failed = tickers.filter((entry) => entry.status === 'failed').length;
  const empty = tickers.filter((entry) => entry.status === 'empty').length;
  lines.push(
    `${head}; ${tickers.length} tickers: ${tickers.length - failed - empty} done, ` +
      `${empty} empty, ${failed} failed`,
  );
  if (merge.missing.length > 0) {
    lines.push(`missing shards: ${merge.missing.map(label).join(', ')} (not finished or not run)`);
  }
  for (const conflict of merge.conflicts) {
    lines.push(`unusable part of shard ${label(conflict.shard)}: ${conflict.reason}`);
  }
  if (merge.readFromBucket > 0) {
    lines.push(`read ${merge.readFromBucket} part(s) from the bucket`);
  }

  const outcome =
    merge.result === 'held-back'
      ? 'not uploaded: the day is not complete; run the missing shards, then merge again'
      : merge.result;
  lines.push(`manifest ${merge.key} ${outcome}`);

  return lines;
}

/** The merge as one JSON object. */
export function mergeJson(merge: DayMerge): Record<string, unknown> {
  const { manifest, ...rest } = merge;

  return { event: 'merge', ...rest, tickers: manifest?.tickers.length ?? 0 };
}

/** 0 for a complete day without failures, 1 when shards are missing or tickers failed. */
export function mergeExitCode(merge: DayMerge): number {
  const failed = merge.manifest?.tickers.some((entry) => entry.status === 'failed') ?? false;

  return merge.complete && !failed ? ExitCode.ok : ExitCode.partial;
}
