import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DayStore } from '../../src/services/day-store.js';
import { MarketDataError } from '../../src/services/errors.js';
import { createSimulatedSource } from '../../src/services/market-data/simulated.js';
import type { MarketDataSource } from '../../src/services/market-data/types.js';
import { mergeDay } from '../../src/services/merge-day.js';
import { createFolderPartReader, type PartReader } from '../../src/services/merge-read.js';
import { createFolderSink } from '../../src/services/object-sink.js';
import { runDay, type RunEvent } from '../../src/services/run-day.js';
import { allShards, shardOf, type Shard } from '../../src/services/shard.js';
import { parseTickerList } from '../../src/services/tickers.js';

const date = '2024-10-25';
const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};
const symbols = Array.from({ length: 24 }, (_, index) => `M${String(index).padStart(2, '0')}`);
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tickops-merge-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function sourceFailing(tickers: readonly string[]): MarketDataSource {
  const simulated = createSimulatedSource();

  return {
    ...simulated,
    fetchDay: async (request) => {
      if (tickers.includes(request.ticker)) throw new MarketDataError('no-data', 'no data');
      return simulated.fetchDay(request);
    },
  };
}

/** One run into `bucket`, with `data` as the data directory; returns the keys it uploaded. */
async function run(bucket: string, data: string, shard?: Shard, source = sourceFailing([])) {
  const events: RunEvent[] = [];
  await runDay({
    date,
    tickers: parseTickerList(symbols.join('\n'), 'list.txt').tickers,
    source,
    exchange: 'LON',
    timeZone: 'Europe/London',
    layout,
    store: new DayStore(join(folder, data), date),
    sink: createFolderSink(join(folder, 'buckets'), bucket),
    concurrency: 4,
    uploadConcurrency: 4,
    retries: 0,
    shard,
    onEvent: (event) => events.push(event),
  });

  return events.flatMap((event) => (event.type === 'uploaded' ? [event.key] : []));
}

function merge(bucket: string, data: string, count: number | 'infer' = 4, reader?: PartReader) {
  return mergeDay({
    date,
    layout,
    count: count === 'infer' ? undefined : count,
    store: new DayStore(join(folder, data), date),
    sink: createFolderSink(join(folder, 'buckets'), bucket),
    reader: reader ?? createFolderPartReader(join(folder, 'buckets'), bucket),
  });
}

const bucketFile = (bucket: string, key: string) =>
  readFile(join(folder, 'buckets', bucket, key), 'utf8');

describe('sharded runs and their merge', () => {
  it('upload only their own tickers and a part; the merge equals a whole-list run', async () => {
    const source = sourceFailing(['M07']);
    await run('whole', 'data-whole', undefined, source);
    const uploads = [];
    for (const shard of allShards(4)) uploads.push(await run('sharded', 'data', shard, source));

    const merged = await merge('sharded', 'data');

    for (const [index, keys] of uploads.entries()) {
      const tickers = keys.filter((key) => !key.startsWith('manifests/'));
      expect(tickers.every((key) => shardOf(/\/([^/]+)\.\w+$/.exec(key)![1]!, 4) === index)).toBe(
        true,
      );
      expect(keys.filter((key) => key.startsWith('manifests/'))).toEqual([
        `manifests/20241025/parts/${index}-of-4.json`,
      ]);
    }
    expect(uploads.flat().filter((key) => !key.startsWith('manifests/'))).toHaveLength(
      2 * (symbols.length - 1),
    );
    expect(merged).toMatchObject({ complete: true, result: 'uploaded', readFromBucket: 0 });
    expect(await bucketFile('sharded', 'manifests/20241025.json')).toBe(
      await bucketFile('whole', 'manifests/20241025.json'),
    );
    expect(await readFile(join(folder, 'data/20241025/manifest.json'), 'utf8')).toBe(
      await bucketFile('whole', 'manifests/20241025.json'),
    );
  });

  it('holds the manifest back and names the shards that have not finished', async () => {
    for (const shard of allShards(4).filter((each) => each.index !== 2)) {
      await run('sharded', 'data', shard);
    }

    const merged = await merge('sharded', 'data');

    expect(merged).toMatchObject({ complete: false, missing: [2], result: 'held-back' });
    await expect(bucketFile('sharded', 'manifests/20241025.json')).rejects.toThrow();
  });

  it('is idempotent, takes a shard run twice, reads parts from the bucket at need', async () => {
    for (const shard of allShards(4)) await run('sharded', 'data', shard);
    const first = await merge('sharded', 'data');
    const rerun = await run('sharded', 'data', { index: 1, count: 4 });

    const second = await merge('sharded', 'data');
    const elsewhere = await merge('sharded', 'other-host', 'infer');

    expect(rerun).toEqual([]);
    expect(first.result).toBe('uploaded');
    expect(second).toMatchObject({ complete: true, result: 'unchanged', readFromBucket: 0 });
    expect(elsewhere).toMatchObject({ complete: true, count: 4, readFromBucket: 4 });
    expect(elsewhere.result).toBe('unchanged');
  });

  it('asks which run to merge when parts of two shard counts are in the bucket', async () => {
    await run('sharded', 'data', { index: 0, count: 2 });
    await run('sharded', 'data', { index: 0, count: 4 });

    await expect(merge('sharded', 'data', 'infer')).rejects.toThrow(
      /parts of runs with 2 and 4 shards/,
    );
  });
});
