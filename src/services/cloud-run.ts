/**
 * Following a day's run that happens elsewhere: shards on AWS Batch or ECS, each writing into
 * the bucket. The bucket is the only shared state, so one look at it says how far the run got:
 * a shard's manifest part gives the final outcome of its tickers (done, empty, failed and why),
 * and for a shard still running the day's objects already uploaded show which of its tickers
 * are through. The day's manifest means the run is merged and complete.
 *
 * Each look lists the day's prefixes (s3:ListBucket) and reads each part once (s3:GetObject;
 * a part is read again only when its ETag changes, as when a shard is rerun).
 */
import type { KeyLayout } from './config.js';
import type { RemoteObject } from './etag.js';
import { TickopsError } from './errors.js';
import type { ManifestEntry } from './manifest.js';
import type { TradingDate } from './market-data/types.js';
import type { PartReader } from './merge-read.js';
import type { ObjectSink } from './object-sink.js';
import { listDay, objectKey } from './run-day.js';
import { shardOf } from './shard.js';
import {
  parseManifestPart,
  partCounts,
  partKey,
  partsPrefix,
  type ManifestPart,
} from './shard-part.js';

/** Where a ticker of a cloud run stands. */
export type CloudTickerState = 'done' | 'empty' | 'failed' | 'uploaded' | 'pending';

/** One ticker as the bucket shows it. */
export interface CloudTicker {
  readonly ticker: string;
  /** Its shard, when the shard count is known. */
  readonly shard: number | undefined;
  readonly state: CloudTickerState;
  readonly bars?: number;
  readonly bytes?: number;
  readonly reason?: string;
}

/** One shard: finished (its part is in the bucket) or not yet (running, queued or not run). */
export interface CloudShard {
  readonly index: number;
  readonly state: 'finished' | 'unfinished' | 'unreadable';
  readonly tickers: number;
  /** Tickers finished or uploaded so far. */
  readonly through: number;
  /** Why the part could not be used, for `unreadable`. */
  readonly reason?: string;
}

/** The whole cloud run at one look. */
export interface CloudRunView {
  readonly date: TradingDate;
  /** Shards in the run; undefined while no part has landed and none was configured. */
  readonly count: number | undefined;
  readonly shards: readonly CloudShard[];
  readonly tickers: readonly CloudTicker[];
  /** The day's merged manifest is in the bucket. */
  readonly merged: boolean;
  readonly lookedAt: number;
}

/** What a look at the bucket needs. */
export interface CloudRunOptions {
  readonly date: TradingDate;
  readonly layout: KeyLayout;
  /** The day's ticker list, the same the shards were given. */
  readonly symbols: readonly string[];
  /** The configured shard count; else the one the parts agree on. */
  readonly shardCount?: number;
  readonly sink: Pick<ObjectSink, 'list'>;
  readonly reader: PartReader;
  readonly now?: () => number;
}

/** Parts already read, by key, with the ETag they were read at. */
export type PartCache = Map<string, { readonly etag: string; readonly part: ManifestPart }>;

/** Look at the bucket once and say where every ticker of the day stands. */
export async function lookAtCloudRun(
  options: CloudRunOptions,
  cache: PartCache = new Map(),
  signal?: AbortSignal,
): Promise<CloudRunView> {
  const { date, layout } = options;
  const listed = await listDay(options.sink, layout, date, true, signal);
  const count = options.shardCount ?? countFromParts(listed, partsPrefix(layout.manifest, date));

  const parts = new Map<number, ManifestPart>();
  const unreadable = new Map<number, string>();
  for (let index = 0; count !== undefined && index < count; index += 1) {
    const key = partKey(layout.manifest, date, { index, count });
    const remote = listed.get(key);
    if (!remote) continue;

    const read = await readPartOnce(options.reader, cache, key, remote, signal);
    if (typeof read === 'string') unreadable.set(index, read);
    else parts.set(index, read);
  }

  const outcomes = new Map<string, ManifestEntry>();
  for (const part of parts.values()) {
    for (const entry of part.tickers) outcomes.set(entry.ticker, entry);
  }
  const tickers = options.symbols.map((symbol) =>
    tickerView(symbol, count, outcomes.get(symbol), hasObjects(listed, layout, date, symbol)),
  );

  return {
    date,
    count,
    shards: count === undefined ? [] : shardViews(count, tickers, parts, unreadable),
    tickers,
    merged: listed.has(objectKey(layout.manifest, date)),
    lookedAt: (options.now ?? Date.now)(),
  };
}

function countFromParts(listed: ReadonlyMap<string, RemoteObject>, prefix: string) {
  const counts = partCounts(listed, prefix);

  // Parts of two shard counts mean two runs of the day; the configured count must decide.
  return counts.size === 1 ? [...counts][0] : undefined;
}

async function readPartOnce(
  reader: PartReader,
  cache: PartCache,
  key: string,
  remote: RemoteObject,
  signal?: AbortSignal,
): Promise<ManifestPart | string> {
  const etag = remote.etag ?? '';
  const known = cache.get(key);
  if (known && known.etag === etag) return known.part;

  const text = await reader.read(key, signal);
  const part = text === undefined ? undefined : parseManifestPart(text);
  if (!part) return `${key} is not a manifest part`;

  cache.set(key, { etag, part });
  return part;
}

function hasObjects(
  listed: ReadonlyMap<string, RemoteObject>,
  layout: KeyLayout,
  date: TradingDate,
  symbol: string,
): boolean {
  return ['csv', 'json', 'txt'].some(
    (ext) =>
      listed.has(objectKey(layout.bars, date, symbol, ext)) ||
      listed.has(objectKey(layout.raw, date, symbol, ext)),
  );
}

function tickerView(
  symbol: string,
  count: number | undefined,
  entry: ManifestEntry | undefined,
  uploaded: boolean,
): CloudTicker {
  const shard = count === undefined ? undefined : shardOf(symbol, count);
  if (entry) {
    const bytes = (entry.raw?.bytes ?? 0) + (entry.csv?.bytes ?? 0);
    return {
      ticker: symbol,
      shard,
      state: entry.status,
      bars: entry.bars,
      bytes,
      ...(entry.reason ? { reason: entry.reason } : {}),
    };
  }

  return { ticker: symbol, shard, state: uploaded ? 'uploaded' : 'pending' };
}

function shardViews(
  count: number,
  tickers: readonly CloudTicker[],
  parts: ReadonlyMap<number, ManifestPart>,
  unreadable: ReadonlyMap<number, string>,
): CloudShard[] {
  return Array.from({ length: count }, (_, index) => {
    const mine = tickers.filter((ticker) => ticker.shard === index);
    const through = mine.filter((ticker) => ticker.state !== 'pending').length;
    const reason = unreadable.get(index);
    if (reason) return { index, state: 'unreadable', tickers: mine.length, through, reason };

    const state = parts.has(index) ? 'finished' : 'unfinished';
    return { index, state, tickers: mine.length, through };
  });
}

/** A look that failed, in the operator's words, for the screen to show in place. */
export function cloudLookFailure(error: unknown): string {
  if (error instanceof TickopsError) {
    return error.hint ? `${error.message}; ${error.hint}` : error.message;
  }

  return error instanceof Error ? error.message : String(error);
}

/** What following a cloud run reports. */
export type CloudRunEvent =
  | { readonly type: 'view'; readonly view: CloudRunView }
  | { readonly type: 'look-failed'; readonly reason: string; readonly at: number };

/**
 * Look at the bucket now and then every `intervalMs` until stopped; looks never overlap, and a
 * failed look (a refused read, a lost network) is reported and tried again next time.
 */
export function followCloudRun(
  options: CloudRunOptions & { readonly intervalMs: number },
  onEvent: (event: CloudRunEvent) => void,
): () => void {
  const stop = new AbortController();
  const cache: PartCache = new Map();
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;

  const look = async () => {
    try {
      const view = await lookAtCloudRun(options, cache, stop.signal);
      if (!stop.signal.aborted) onEvent({ type: 'view', view });
    } catch (error) {
      if (!stop.signal.aborted) {
        onEvent({ type: 'look-failed', reason: cloudLookFailure(error), at: now() });
      }
    }
    if (!stop.signal.aborted) timer = setTimeout(() => void look(), options.intervalMs);
  };
  void look();

  return () => {
    stop.abort();
    clearTimeout(timer);
  };
}
