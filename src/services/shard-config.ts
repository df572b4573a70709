/**
 * Which shard a process is, from three settings: `shard` (`K/N`, the flag and TICKOPS_SHARD),
 * or `shardIndex` (TICKOPS_SHARD_INDEX, or AWS_BATCH_JOB_ARRAY_INDEX inside a Batch array job)
 * with `shardCount` (TICKOPS_SHARD_COUNT, `--shards`). `shard` wins over an index, so a local
 * child told `--shard 3/8` is shard 3 even where Batch's variable happens to be set.
 */
import { ConfigError } from './errors.js';
import { parseShard, type Shard } from './shard.js';

/** The raw values and where each came from (a flag, a variable, the file). */
export interface ShardSettings {
  readonly shard: string | undefined;
  readonly shardIndex: number | undefined;
  readonly shardCount: number | undefined;
  readonly origins: Readonly<Record<string, string>>;
}

/** The shard this process runs, or undefined for a whole-list run (or a `--shards N` parent). */
export function resolveShard(settings: ShardSettings): Shard | undefined {
  const { shardIndex, shardCount, origins } = settings;
  const origin = (key: string) => origins[key] ?? key;

  if (settings.shard !== undefined) {
    // Validated by the schema already.
    const shard = parseShard(settings.shard) as Shard;
    if (shardCount !== undefined && shardCount !== shard.count) {
      throw new ConfigError(
        `${origin('shard')} says ${settings.shard} but ${origin('shardCount')} says ` +
          `${shardCount} shards`,
        { hint: 'give the shard count once: --shard K/N, or the index with TICKOPS_SHARD_COUNT' },
      );
    }
    return shard;
  }

  if (shardIndex === undefined) return undefined;
  if (shardCount === undefined) {
    throw new ConfigError(`${origin('shardIndex')} is ${shardIndex} but no shard count is set`, {
      hint: 'set TICKOPS_SHARD_COUNT (or --shards N) to the number of shards of the run',
    });
  }
  if (shardIndex >= shardCount) {
    throw new ConfigError(
      `${origin('shardIndex')} is ${shardIndex}, not below ${origin('shardCount')} ${shardCount}`,
      { hint: 'shards count from 0: an array job of N children has indexes 0 to N-1' },
    );
  }

  return { index: shardIndex, count: shardCount };
}
