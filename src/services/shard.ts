/**
 * Splitting one day's ticker list over N shards. A ticker's shard is a hash of its list symbol
 * modulo N, so it depends on nothing but the symbol and N: not on the list's order, not on the
 * other tickers, not on the machine. Every ticker is in exactly one shard of N, and a shard
 * that runs again takes the same tickers. Shards count from 0, as AWS_BATCH_JOB_ARRAY_INDEX
 * does, so an array child's index is its shard.
 */
import { createHash } from 'node:crypto';

/** One shard of a sharded run: `index` of `count`, 0 <= index < count. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The most shards a day may be split into; far more than any ticker list needs. */
export const maxShardCount = 1000;

/** Read `K/N` (e.g. `3/8`), or undefined when the text is not one. */
export function parseShard(text: string): Shard | undefined {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  if (!match) return undefined;

  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > maxShardCount || index >= count) return undefined;

  return { index, count };
}

/** `3/8`, as the operator writes it. */
export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** `3-of-8`, for file names and object keys (no `/`). */
export function shardFileName(shard: Shard): string {
  return `${shard.index}-of-${shard.count}`;
}

/** Which of `count` shards a symbol belongs to. */
export function shardOf(symbol: string, count: number): number {
  // sha256 rather than a home-made hash: spreads similar symbols (AAA, AAB) evenly, and its
  // first 32 bits are the same on every machine and Node version.
  const digest = createHash('sha256').update(symbol, 'utf8').digest();

  return digest.readUInt32BE(0) % count;
}

/** The tickers of a list that belong to a shard, in list order. */
export function shareOf<T extends { readonly symbol: string }>(
  tickers: readonly T[],
  shard: Shard,
): T[] {
  return tickers.filter((ticker) => shardOf(ticker.symbol, shard.count) === shard.index);
}

/** Every shard of a count, in index order. */
export function allShards(count: number): Shard[] {
  return Array.from({ length: count }, (_, index) => ({ index, count }));
}
