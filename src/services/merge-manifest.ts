/**
 * The day's manifest as the merge of its shards' parts. Pure: the same parts give the same
 * bytes, in any order and however often, so a merge run twice uploads nothing the second time.
 * A shard that ran twice left one part (its key is its own); handing the same part in twice
 * changes nothing. Only a complete set makes a manifest worth uploading: with a shard missing
 * the manifest would quietly leave its tickers out.
 */
import type { Manifest, ManifestEntry } from './manifest.js';
import { formatManifestPart, type ManifestPart } from './shard-part.js';
import { shardOf } from './shard.js';

/** A part that cannot be used, and why. */
export interface PartConflict {
  readonly shard: number;
  readonly reason: string;
}

/** What merging the parts found. */
export interface PartsMerge {
  readonly count: number;
  /** Shard indexes with a usable part, ascending. */
  readonly present: readonly number[];
  /** Shard indexes without one: not finished, not started, or held back by failed uploads. */
  readonly missing: readonly number[];
  readonly conflicts: readonly PartConflict[];
  /** The merge of the usable parts; undefined when there is none. */
  readonly manifest: Manifest | undefined;
  /** Every shard present and no conflict: the manifest is the whole day. */
  readonly complete: boolean;
}

type Header = Omit<Manifest, 'tickers'>;

/** Merge the parts of a day split into `count` shards; parts of another count are ignored. */
export function mergeParts(parts: readonly ManifestPart[], count: number): PartsMerge {
  const byShard = new Map<number, ManifestPart>();
  const conflicts: PartConflict[] = [];

  for (const part of parts.filter((each) => each.shard.count === count)) {
    const index = part.shard.index;
    const earlier = byShard.get(index);
    if (!earlier) byShard.set(index, part);
    else if (formatManifestPart(earlier) !== formatManifestPart(part)) {
      conflicts.push({ shard: index, reason: 'two different parts for the same shard' });
    }
  }

  const usable = [...byShard.values()]
    .filter((part) => !conflicts.some((conflict) => conflict.shard === part.shard.index))
    .sort((a, b) => a.shard.index - b.shard.index);
  const header = usable[0] ? headerOf(usable[0]) : undefined;
  const tickers: ManifestEntry[] = [];
  const present: number[] = [];

  for (const part of usable) {
    const reason = header ? mismatch(header, headerOf(part)) : undefined;
    const strays = part.tickers.filter(
      (entry) => shardOf(entry.ticker, count) !== part.shard.index,
    );
    if (reason || strays.length > 0) {
      const stray = `holds ${strays.map((entry) => entry.ticker).join(', ')} of other shards`;
      conflicts.push({ shard: part.shard.index, reason: reason ?? stray });
      continue;
    }
    present.push(part.shard.index);
    tickers.push(...part.tickers);
  }

  const missing = range(count).filter(
    (index) => !present.includes(index) && !conflicts.some((item) => item.shard === index),
  );
  conflicts.sort((a, b) => a.shard - b.shard);
  const manifest = header && present.length > 0 ? { ...header, tickers } : undefined;

  return {
    count,
    present,
    missing,
    conflicts,
    manifest,
    complete: missing.length === 0 && conflicts.length === 0,
  };
}

/** The manifest's own fields, in the order a whole-list run writes them. */
function headerOf(part: ManifestPart): Header {
  return {
    version: part.version,
    date: part.date,
    exchange: part.exchange,
    timeZone: part.timeZone,
    source: part.source,
    simulated: part.simulated,
  };
}

function mismatch(expected: Header, actual: Header): string | undefined {
  const fields = Object.keys(expected) as (keyof Header)[];
  const differing = fields.find((field) => expected[field] !== actual[field]);
  if (differing === undefined) return undefined;

  const [theirs, ours] = [actual[differing], expected[differing]].map(String);

  return `its ${differing} is ${theirs}, the others' ${ours}`;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}
