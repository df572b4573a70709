import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DayStore } from '../../src/services/day-store.js';
import { MarketDataError } from '../../src/services/errors.js';
import { createSimulatedSource } from '../../src/services/market-data/simulated.js';
import type { MarketDataSource } from '../../src/services/market-data/types.js';
import { createFolderSink } from '../../src/services/object-sink.js';
import { listingPrefix, objectKey, runDay, type RunEvent } from '../../src/services/run-day.js';
import { parseTickerList } from '../../src/services/tickers.js';

const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tickops-run-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The simulated source, with some symbols failing the way a live source does. */
function sourceWith(
  failures: Record<string, MarketDataError> = {},
): MarketDataSource & { calls: string[] } {
  const simulated = createSimulatedSource();
  const calls: string[] = [];

  return {
    ...simulated,
    calls,
    fetchDay: async (request) => {
      calls.push(request.ticker);
      const failure = failures[request.ticker];
      if (failure) throw failure;
      return simulated.fetchDay(request);
    },
  };
}

function runFor(
  symbols: readonly string[],
  source: MarketDataSource,
  extra: Partial<Parameters<typeof runDay>[0]> = {},
) {
  const events: RunEvent[] = [];
  const date = extra.date ?? '2024-10-25';
  const promise = runDay({
    date,
    tickers: parseTickerList(symbols.join('\n'), 'list.txt').tickers,
    source,
    exchange: 'LON',
    timeZone: 'Europe/London',
    layout,
    store: new DayStore(join(folder, 'data'), date),
    sink: createFolderSink(join(folder, 'bucket'), 'ftse100'),
    concurrency: 4,
    uploadConcurrency: 4,
    retries: 1,
    backoff: { baseMs: 1, capMs: 2, maxRetryAfterMs: 100 },
    onEvent: (event) => events.push(event),
    ...extra,
  });

  return { promise, events };
}

async function bucketKeys(): Promise<string[]> {
  const sink = createFolderSink(join(folder, 'bucket'), 'ftse100');

  return [...(await sink.list('')).keys()].sort();
}

describe('runDay', () => {
  it('stores, uploads and lists every ticker of the day, manifest last', async () => {
    const { promise, events } = runFor(['BARC', 'BT.A', 'VOD'], sourceWith());

    const summary = await promise;

    expect(summary).toMatchObject({
      total: 3,
      done: 3,
      downloaded: 3,
      uploaded: 7,
      unchanged: 0,
      manifest: 'uploaded',
    });
    expect(await bucketKeys()).toEqual([
      'bars/20241025/BARC.csv',
      'bars/20241025/BT.A.csv',
      'bars/20241025/VOD.csv',
      'manifests/20241025.json',
      'raw/20241025/BARC.json',
      'raw/20241025/BT.A.json',
      'raw/20241025/VOD.json',
    ]);
    const order = events.flatMap((event) => (event.type === 'uploaded' ? [event.key] : []));
    expect(order.at(-1)).toBe('manifests/20241025.json');
    const csv = await readFile(join(folder, 'data/20241025/BARC.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('time,open,high,low,close,volume');
    expect(csv.split('\n')[1]).toMatch(/^2024-10-25T07:00:00Z,/);
  });

  it('records status, bar count, first and last bar, currency and checksums in the manifest', async () => {
    await runFor(['BARC'], sourceWith()).promise;

    const manifest = JSON.parse(
      await readFile(join(folder, 'data/20241025/manifest.json'), 'utf8'),
    );

    expect(manifest).toMatchObject({
      version: 1,
      date: '2024-10-25',
      exchange: 'LON',
      simulated: true,
    });
    expect(manifest.tickers[0]).toMatchObject({
      ticker: 'BARC',
      status: 'done',
      bars: 510,
      firstBar: '2024-10-25T07:00:00Z',
      lastBar: '2024-10-25T15:29:00Z',
      currency: 'GBp',
      raw: { file: 'raw/BARC.json', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  it('downloads and uploads nothing on an immediate rerun', async () => {
    await runFor(['BARC', 'VOD'], sourceWith()).promise;
    const source = sourceWith();

    const summary = await runFor(['BARC', 'VOD'], source).promise;

    expect(source.calls).toEqual([]);
    expect(summary).toMatchObject({
      downloaded: 0,
      resumed: 2,
      uploaded: 0,
      unchanged: 5,
      manifest: 'unchanged',
    });
  });

  it('fetches again only the ticker whose entry a killed run never committed', async () => {
    await runFor(['BARC', 'VOD', 'LLOY'], sourceWith()).promise;
    await rm(join(folder, 'data/20241025/entries/VOD.json'));
    await writeFile(join(folder, 'data/20241025/.VOD.csv.tmp-deadbeef'), 'half a fi');
    const source = sourceWith();

    const summary = await runFor(['BARC', 'VOD', 'LLOY'], source).promise;

    expect(source.calls).toEqual(['VOD']);
    expect(summary).toMatchObject({ downloaded: 1, resumed: 2, uploaded: 0 });
    expect(await readdir(join(folder, 'data/20241025'))).not.toContain('.VOD.csv.tmp-deadbeef');
  });

  it('fetches again a ticker whose entry or CSV was torn (a power cut, not a kill)', async () => {
    await runFor(['BARC', 'VOD', 'LLOY'], sourceWith()).promise;
    await writeFile(join(folder, 'data/20241025/entries/VOD.json'), '{"ticker": "VO');
    await writeFile(join(folder, 'data/20241025/LLOY.csv'), 'time,open,high\n');
    const source = sourceWith();

    const summary = await runFor(['BARC', 'VOD', 'LLOY'], source).promise;

    expect(source.calls.sort()).toEqual(['LLOY', 'VOD']);
    expect(summary).toMatchObject({ downloaded: 2, resumed: 1, failed: [] });
  });

  it('fails an unknown ticker alone, keeps it out of the rerun, and still uploads the manifest', async () => {
    const unknown = new MarketDataError('no-data', 'no data (symbol may be delisted or wrong)');
    const first = await runFor(['BARC', 'AMFW'], sourceWith({ AMFW: unknown })).promise;
    const source = sourceWith({ AMFW: unknown });

    const second = await runFor(['BARC', 'AMFW'], source).promise;

    expect(first.failed).toEqual([
      { ticker: 'AMFW', reason: 'no data (symbol may be delisted or wrong)' },
    ]);
    expect(first.manifest).toBe('uploaded');
    expect(source.calls).toEqual([]);
    expect(second.failed).toHaveLength(1);
    expect(await bucketKeys()).not.toContain('raw/20241025/AMFW.json');
  });

  it('times a failed ticker by its own attempts, not by the tickers that took longer', async () => {
    let clock = 1_000_000;
    const simulated = createSimulatedSource();
    const source: MarketDataSource = {
      ...simulated,
      fetchDay: async (request) => {
        if (request.ticker === 'GONE') throw new MarketDataError('no-data', 'no data');
        // The slow ticker answers a minute later, after GONE has already failed.
        await new Promise((resolve) => setTimeout(resolve, 20));
        clock += 60_000;
        return simulated.fetchDay(request);
      },
    };

    const { promise, events } = runFor(['SLOW', 'GONE'], source, { now: () => clock });
    await promise;

    const finished = events.flatMap((event) =>
      event.type === 'ticker-finished' ? [event.outcome] : [],
    );
    expect(finished.find((outcome) => outcome.ticker === 'GONE')?.durationMs).toBe(0);
    expect(finished.find((outcome) => outcome.ticker === 'SLOW')?.durationMs).toBe(60_000);
  });

  it('retries a passing failure on the next run', async () => {
    await runFor(['BARC'], sourceWith({ BARC: new MarketDataError('server', 'HTTP 503') })).promise;
    const source = sourceWith();

    const summary = await runFor(['BARC'], source).promise;

    expect(source.calls).toEqual(['BARC']);
    expect(summary.failed).toEqual([]);
  });

  it('stores a day fetched before the close as provisional and fetches it again later', async () => {
    const during = Date.parse('2024-10-25T10:00:00Z');
    const after = Date.parse('2024-10-25T17:00:00Z');
    const { promise, events } = runFor(['BARC'], sourceWith(), { now: () => during });
    await promise;
    const source = sourceWith();

    const later = await runFor(['BARC'], source, { now: () => after }).promise;

    const started = events.find((event) => event.type === 'run-started');
    expect(started).toMatchObject({ sessionOpen: true });
    expect(source.calls).toEqual(['BARC']);
    expect(later).toMatchObject({ downloaded: 1, resumed: 0 });
    const manifest = JSON.parse(
      await readFile(join(folder, 'data/20241025/manifest.json'), 'utf8'),
    );
    expect(manifest.tickers[0].provisional).toBeUndefined();
  });

  it('does nothing on a weekend and says so', async () => {
    const source = sourceWith();

    const summary = await runFor(['BARC'], source, { date: '2024-10-26' }).promise;

    expect(summary.closed).toMatch(/weekend/);
    expect(source.calls).toEqual([]);
    expect(await bucketKeys()).toEqual([]);
  });

  it('touches nothing in a dry run', async () => {
    const source = sourceWith();

    const { promise, events } = runFor(['BARC', 'VOD'], source, { dryRun: true });
    await promise;

    expect(source.calls).toEqual([]);
    expect(events.filter((event) => event.type === 'planned')).toHaveLength(2);
    expect(await readdir(folder)).toEqual([]);
  });

  it('stops with a storage error when the data directory cannot be written', async () => {
    await writeFile(join(folder, 'not-a-folder'), '');

    const attempt = runFor(['BARC'], sourceWith(), {
      store: new DayStore(join(folder, 'not-a-folder'), '2024-10-25'),
    }).promise;

    await expect(attempt).rejects.toThrow(/cannot write .*not-a-folder.*\((ENOTDIR|EEXIST)\)/);
  });

  it('holds the manifest back when an object failed to upload', async () => {
    const sink = createFolderSink(join(folder, 'bucket'), 'ftse100');
    const flaky = {
      ...sink,
      put: async (key: string, body: Uint8Array, type: string) => {
        if (key.includes('VOD')) throw new Error('connection reset');
        return sink.put(key, body, type);
      },
    };

    const summary = await runFor(['BARC', 'VOD'], sourceWith(), { sink: flaky }).promise;

    expect(summary.manifest).toBe('held-back');
    expect(summary.failed.map((item) => item.ticker)).toEqual(['VOD']);
    expect(await bucketKeys()).not.toContain('manifests/20241025.json');
  });
});

describe('object keys', () => {
  it('renders the original layout and keeps special-character symbols distinct (case B06)', () => {
    expect(objectKey(layout.raw, '2024-06-14', 'GBPUSD=X', 'json')).toBe(
      'raw/20240614/GBPUSD=X.json',
    );
    expect(objectKey(layout.bars, '2024-06-14', 'BRK-B')).not.toBe(
      objectKey(layout.bars, '2024-06-14', 'BRK.B'),
    );
    expect(objectKey(layout.manifest, '2024-06-14')).toBe('manifests/20240614.json');
  });

  it('lists a date by the fixed part of the template', () => {
    expect(listingPrefix(layout.raw, '2024-06-14')).toBe('raw/20240614/');
    expect(listingPrefix(layout.manifest, '2024-06-14')).toBe('manifests/20240614.json');
  });
});
