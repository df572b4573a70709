import { describe, expect, it } from 'vitest';
import {
  followCloudRun,
  lookAtCloudRun,
  type CloudRunEvent,
  type PartCache,
} from '../../src/services/cloud-run.js';
import { AccessDeniedError } from '../../src/services/errors.js';
import type { RemoteObject } from '../../src/services/etag.js';
import { shardOf } from '../../src/services/shard.js';
import { doneEntry, failedEntry, partText } from '../support/shard-parts.js';

const date = '2024-10-25';
const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};
const symbols = ['AAL', 'BARC', 'BP', 'HSBA', 'LLOY', 'SHEL', 'VOD', 'NOSUCH'];
const inShard = (index: number) => symbols.filter((symbol) => shardOf(symbol, 2) === index);

const entry = (ticker: string) =>
  ticker === 'NOSUCH' ? failedEntry(ticker) : doneEntry(ticker, 1000, 500);
const part = (index: number) => partText(date, index, 2, inShard(index).map(entry));

/** A bucket in memory: keys with ETags, and a count of reads. */
function bucket(objects: Record<string, { etag: string; text?: string }>) {
  const reads: string[] = [];
  return {
    reads,
    sink: {
      list: async (prefix: string) =>
        new Map<string, RemoteObject>(
          Object.entries(objects)
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key, { key, size: 1, etag: value.etag }]),
        ),
    },
    reader: {
      read: async (key: string) => {
        reads.push(key);
        return objects[key]?.text;
      },
    },
  };
}

describe('looking at a cloud run in the bucket', () => {
  // Which shard each test ticker lands in matters below; the hash is fixed, so check it holds.
  const finishedShard = shardOf('NOSUCH', 2);
  const runningShard = 1 - finishedShard;
  const runningTickers = inShard(runningShard);

  it('gives finished shards from their parts and running ones from the objects so far', async () => {
    expect(runningTickers.length).toBeGreaterThan(1);
    const uploadedOne = runningTickers[0] as string;
    const store = bucket({
      [`manifests/20241025/parts/${finishedShard}-of-2.json`]: {
        etag: '"a"',
        text: part(finishedShard),
      },
      [`bars/20241025/${uploadedOne}.csv`]: { etag: '"b"' },
      [`raw/20241025/${uploadedOne}.json`]: { etag: '"c"' },
    });

    const view = await lookAtCloudRun({ date, layout, symbols, ...store, now: () => 7 });

    expect(view.count).toBe(2);
    expect(view.merged).toBe(false);
    expect(view.lookedAt).toBe(7);
    expect(view.tickers.find((t) => t.ticker === 'NOSUCH')).toEqual({
      ticker: 'NOSUCH',
      shard: finishedShard,
      state: 'failed',
      bars: 0,
      bytes: 0,
      reason: 'no data',
    });
    expect(view.tickers.find((t) => t.ticker === uploadedOne)?.state).toBe('uploaded');
    expect(view.tickers.filter((t) => t.shard === runningShard).map((t) => t.state)).toEqual([
      'uploaded',
      ...runningTickers.slice(1).map(() => 'pending'),
    ]);
    expect(view.shards).toEqual([
      expect.objectContaining({ index: 0 }),
      expect.objectContaining({ index: 1 }),
    ]);
    expect(view.shards[finishedShard]).toEqual({
      index: finishedShard,
      state: 'finished',
      tickers: inShard(finishedShard).length,
      through: inShard(finishedShard).length,
    });
    expect(view.shards[runningShard]).toEqual({
      index: runningShard,
      state: 'unfinished',
      tickers: runningTickers.length,
      through: 1,
    });
  });

  it('reads each part once, and again only when its ETag changes', async () => {
    const key = `manifests/20241025/parts/${finishedShard}-of-2.json`;
    const objects = { [key]: { etag: '"a"', text: part(finishedShard) } };
    const store = bucket(objects);
    const cache: PartCache = new Map();

    await lookAtCloudRun({ date, layout, symbols, ...store }, cache);
    await lookAtCloudRun({ date, layout, symbols, ...store }, cache);
    expect(store.reads).toEqual([key]);

    objects[key] = { etag: '"rerun"', text: part(finishedShard) };
    await lookAtCloudRun({ date, layout, symbols, ...store }, cache);
    expect(store.reads).toEqual([key, key]);
  });

  it('says the run is merged, and marks a part it cannot use', async () => {
    const store = bucket({
      'manifests/20241025/parts/0-of-2.json': { etag: '"a"', text: '{"not":"a part"}' },
      'manifests/20241025/parts/1-of-2.json': { etag: '"b"', text: part(1) },
      'manifests/20241025.json': { etag: '"m"' },
    });

    const view = await lookAtCloudRun({ date, layout, symbols, ...store });

    expect(view.merged).toBe(true);
    expect(view.shards[0]).toMatchObject({
      state: 'unreadable',
      reason: 'manifests/20241025/parts/0-of-2.json is not a manifest part',
    });
    expect(view.shards[1]?.state).toBe('finished');
  });

  it('shows progress without shards while no part has landed and no count is set', async () => {
    const store = bucket({ 'bars/20241025/BP.csv': { etag: '"b"' } });

    const view = await lookAtCloudRun({ date, layout, symbols, ...store });

    expect(view.count).toBeUndefined();
    expect(view.shards).toEqual([]);
    expect(view.tickers.find((t) => t.ticker === 'BP')).toEqual({
      ticker: 'BP',
      shard: undefined,
      state: 'uploaded',
    });
    expect(view.tickers.filter((t) => t.state === 'pending')).toHaveLength(symbols.length - 1);
  });
});

describe('following a cloud run', () => {
  it('looks again and again, reports a failed look in words, and stops when told', async () => {
    const store = bucket({ 'bars/20241025/BP.csv': { etag: '"b"' } });
    let calls = 0;
    const sink = {
      list: async (prefix: string) => {
        calls += 1;
        if (calls <= 4) {
          throw new AccessDeniedError('access denied: s3:ListBucket on s3://b', {
            hint: 'use credentials that may list the bucket',
          });
        }
        return store.sink.list(prefix);
      },
    };
    const events: CloudRunEvent[] = [];
    const stop = followCloudRun(
      { date, layout, symbols, sink, reader: store.reader, intervalMs: 5 },
      (event) => events.push(event),
    );

    await expect
      .poll(() => events.filter((event) => event.type === 'view').length)
      .toBeGreaterThanOrEqual(2);
    stop();
    const seen = events.length;
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(events.length).toBe(seen);
    expect(events[0]).toEqual({
      type: 'look-failed',
      reason: 'access denied: s3:ListBucket on s3://b; use credentials that may list the bucket',
      at: expect.any(Number),
    });
    expect(events.at(-1)).toMatchObject({ type: 'view', view: { count: undefined } });
  });
});
