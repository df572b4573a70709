/**
 * One run of the daily job for one trading date: plan from what the day folder already holds,
 * download what is missing, keep each response and its CSV, upload what the bucket lacks, and
 * finish with the day's manifest. Every front end (the scheduled `--run-today`, the console's
 * Run screen) calls this and renders its events.
 */
import { setMaxListeners } from 'node:events';
import { downloadDay, type DownloadEvent, type DownloadJob } from './downloader.js';
import { AccessDeniedError, AwsResourceError, InterruptedError, TickopsError } from './errors.js';
import type { DayStore } from './day-store.js';
import type { RemoteObject } from './etag.js';
import type { KeyLayout } from './config.js';
import type { BackoffOptions } from './backoff.js';
import { silentLogger, type Logger } from './logger.js';
import { isPermanentFailure, type Manifest, type ManifestEntry } from './manifest.js';
import type { MarketDataSource, TradingDate } from './market-data/types.js';
import type { ObjectSink } from './object-sink.js';
import type { Ticker } from './tickers.js';
import { sessionOf } from './exchange-hours.js';
import { compactDate, isWeekend, zonedTimeToUtc } from './trading-day.js';
import {
  UploadLedger,
  Uploader,
  type UploadEvent,
  type UploadItem,
  type UploadResult,
} from './uploader.js';
import { planDay, type PlannedTicker } from './run-plan.js';
import { lockShard, lockWholeDay } from './run-lock.js';
import { shareOf, type Shard } from './shard.js';
import {
  localPartFile,
  partsPrefix,
  runManifestKey,
  uploadLedgerFile,
  writeManifestPart,
} from './shard-part.js';
import { emptySummary, summarize, type RunSummary, type TickerOutcome } from './run-summary.js';

export type { RunSummary, TickerOutcome } from './run-summary.js';

/** Everything a run reports, in the order it happens. */
export type RunEvent =
  | {
      readonly type: 'run-started';
      readonly date: TradingDate;
      readonly total: number;
      readonly toDownload: number;
      readonly resumed: number;
      readonly sink: string;
      readonly source: string;
      readonly simulated: boolean;
      readonly dryRun: boolean;
      /** The session has not closed yet: what is fetched now is stored as provisional. */
      readonly sessionOpen: boolean;
    }
  | { readonly type: 'planned'; readonly ticker: string; readonly action: PlannedTicker['action'] }
  | DownloadEvent
  | UploadEvent
  | { readonly type: 'ticker-finished'; readonly outcome: TickerOutcome }
  | { readonly type: 'manifest'; readonly key: string; readonly result: UploadResult | 'held-back' }
  | { readonly type: 'run-finished'; readonly summary: RunSummary };

/** What a run needs; clients, files and the clock are all passed in. */
export interface RunDayOptions {
  readonly date: TradingDate;
  readonly tickers: readonly Ticker[];
  readonly source: MarketDataSource;
  readonly exchange: string;
  readonly timeZone: string;
  readonly layout: KeyLayout;
  readonly store: DayStore;
  readonly sink: ObjectSink;
  readonly concurrency: number;
  readonly uploadConcurrency: number;
  readonly retries: number;
  readonly force?: boolean;
  /**
   * Tickers to fetch again whatever an earlier run stored or learned (the console's "retry
   * failed"); the rest of the list is planned as usual, so the manifest stays whole.
   */
  readonly retry?: readonly string[];
  readonly dryRun?: boolean;
  /**
   * Run only this shard's share of `tickers`, and finish with its manifest part instead of the
   * day's manifest (which is the merge of the parts, see merge-day.ts).
   */
  readonly shard?: Shard;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly backoff?: BackoffOptions;
}

/** The object key for a day file, from the layout template. */
export function objectKey(template: string, date: TradingDate, ticker = '', ext = ''): string {
  return template
    .replaceAll('{date}', compactDate(date))
    .replaceAll('{ticker}', ticker)
    .replaceAll('{ext}', ext);
}

/** The listing prefix that holds every key of a template for a date. */
export function listingPrefix(template: string, date: TradingDate): string {
  const rendered = template.replaceAll('{date}', compactDate(date));
  const cut = rendered.search(/\{(ticker|ext)\}/);

  return cut === -1 ? rendered : rendered.slice(0, cut);
}

/**
 * Run the job for one date and resolve with its summary. A run that writes holds the day
 * folder's lock (its shard's, for a shard) throughout; see run-lock.ts.
 */
export async function runDay(options: RunDayOptions): Promise<RunSummary> {
  if (options.dryRun || isWeekend(options.date)) return runUnlocked(options);

  const { shard, date, store } = options;
  const lock = shard
    ? await lockShard(store.folder, shard, date)
    : await lockWholeDay(store.folder, date);
  try {
    return await runUnlocked(options);
  } finally {
    await lock.release();
  }
}

async function runUnlocked(options: RunDayOptions): Promise<RunSummary> {
  const now = options.now ?? Date.now;
  const started = now();
  const emit = options.onEvent ?? (() => undefined);
  const logger = options.logger ?? silentLogger;
  const tickers = options.shard ? shareOf(options.tickers, options.shard) : options.tickers;

  if (isWeekend(options.date)) {
    const summary = emptySummary(options.date, tickers.length, 'weekend: the exchange is closed');
    emit({ type: 'run-finished', summary });
    return summary;
  }

  // Shards on one host share the day folder, and clearing temporaries would delete the files
  // another shard is writing; the `--shards N --local` parent clears them before it starts.
  if (!options.shard) await options.store.prepare();
  const entries = await options.store.readEntries(new Set(tickers.map((ticker) => ticker.symbol)));
  const plan = await planDay(tickers, entries, options);
  const toDownload = plan.filter((item) => item.action === 'download');
  // Fetched before the close, a day is only the bars so far; a margin covers the closing
  // auction and the source's delay.
  const closes = zonedTimeToUtc(
    options.date,
    sessionOf(options.exchange).close + 15,
    options.timeZone,
  );
  const sessionOpen = now() < closes;
  emit({
    type: 'run-started',
    date: options.date,
    total: plan.length,
    toDownload: toDownload.length,
    resumed: plan.filter((item) => item.action === 'resume').length,
    sink: options.sink.description,
    source: options.source.name,
    simulated: options.source.simulated,
    dryRun: options.dryRun ?? false,
    sessionOpen,
  });
  for (const item of plan)
    emit({ type: 'planned', ticker: item.ticker.symbol, action: item.action });

  if (options.dryRun) {
    const summary = { ...emptySummary(options.date, plan.length), durationMs: now() - started };
    emit({ type: 'run-finished', summary });
    return summary;
  }

  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  // Every waiting upload listens for cancellation on this one signal: hundreds is normal.
  setMaxListeners(0, signal);
  let fatal: TickopsError | undefined;
  const uploadFailures = new Map<string, string>();

  await options.sink.ensureReady(signal);
  const existing = await listDay(
    options.sink,
    options.layout,
    options.date,
    options.shard !== undefined,
    signal,
  );
  const ledger = await UploadLedger.load(options.store.pathOf(uploadLedgerFile(options.shard)));
  const uploader = new Uploader({
    sink: options.sink,
    existing,
    ledger,
    concurrency: options.uploadConcurrency,
    force: options.force,
    signal,
    now,
    onEvent: (event) => {
      if (event.type === 'upload-failed') uploadFailures.set(event.key, event.reason);
      if (event.type === 'upload-failed' && event.fatal && !fatal) {
        fatal = new AccessDeniedError(event.reason, {
          hint: 'the run needs s3:PutObject on the bucket (the s3_upload policy)',
        });
        stop.abort(fatal);
      }
      emit(event);
    },
  });

  const outcomes = new Map<string, TickerOutcome>();
  const finishing: Promise<void>[] = [];
  const finish = (entry: ManifestEntry, fromEarlierRun: boolean, startedAt: number) => {
    const task = uploadTicker(entry, options, uploader).then((uploads) => {
      const outcome = toOutcome(entry, fromEarlierRun, uploads, now() - startedAt);
      outcomes.set(entry.ticker, outcome);
      emit({ type: 'ticker-finished', outcome });
    });
    // An upload rejects only when the run is cancelled, possibly while downloads are still
    // under way and nothing awaits it yet: that must not count as an unhandled rejection,
    // which would end the process with a stack trace. The rejection is still seen below.
    task.catch(() => undefined);
    finishing.push(task);
  };

  for (const item of plan) {
    if (item.action === 'resume' && item.entry) finish(item.entry, true, now());
    if (item.action === 'skip-failed' && item.entry) {
      const outcome = toOutcome(item.entry, true, [], 0);
      outcomes.set(item.ticker.symbol, outcome);
      emit({ type: 'ticker-finished', outcome });
    }
  }

  const jobs: DownloadJob[] = toDownload.map((item) => ({
    ticker: item.ticker.symbol,
    sourceSymbol: item.sourceSymbol,
  }));
  const jobStarted = now();
  const tickerStarted = new Map<string, number>();
  const onDownloadEvent = (event: DownloadEvent) => {
    if (event.type === 'started' && event.attempt === 1) tickerStarted.set(event.ticker, now());
    emit(event);
  };
  try {
    const results = await downloadDay(jobs, {
      source: options.source,
      date: options.date,
      timeZone: options.timeZone,
      exchange: options.exchange,
      concurrency: options.concurrency,
      retries: options.retries,
      backoff: options.backoff,
      logger,
      now,
      signal,
      onEvent: onDownloadEvent,
      saveResult: async (job, result) => {
        const entry = await options.store.saveResult(job.ticker, job.sourceSymbol, result, {
          provisional: sessionOpen,
        });
        entries.set(job.ticker, entry);
        finish(entry, false, tickerStarted.get(job.ticker) ?? jobStarted);
      },
    });

    for (const result of results.filter((item) => item.status === 'failed')) {
      const planned = toDownload.find((item) => item.ticker.symbol === result.ticker);
      const earlier = entries.get(result.ticker);
      const entry: ManifestEntry = {
        ticker: result.ticker,
        sourceSymbol: planned?.sourceSymbol ?? result.ticker,
        status: 'failed',
        bars: 0,
        kind: result.kind,
        reason: result.reason,
      };
      // A forced refresh that fails keeps the good copy an earlier run stored.
      if (!earlier || earlier.status === 'failed') {
        await options.store.saveEntry(entry);
        entries.set(result.ticker, entry);
      }
      // Outcomes are gathered once every download has settled: the clock then would count
      // the other tickers' time too.
      const durationMs =
        result.durationMs ?? now() - (tickerStarted.get(result.ticker) ?? jobStarted);
      const outcome = toOutcome(entry, false, [], durationMs);
      outcomes.set(result.ticker, outcome);
      emit({ type: 'ticker-finished', outcome });
    }

    await Promise.all(finishing);
  } catch (error) {
    await Promise.allSettled(finishing);
    await ledger.save().catch(() => undefined);
    if (fatal) throw fatal;
    if (options.signal?.aborted) {
      throw new InterruptedError(
        'run interrupted: finished tickers are kept, the rest will be fetched by the next run',
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  await ledger.save();
  if (fatal) throw fatal;

  const manifest = buildManifest(options, tickers, entries);
  const manifestResult = await uploadManifest(manifest, options, uploader, [...outcomes.values()]);
  await ledger.save();
  const key = runManifestKey(options.layout.manifest, options.date, options.shard);
  emit({ type: 'manifest', key, result: manifestResult });

  const summary = summarize(options.date, [...outcomes.values()], manifestResult, now() - started);
  emit({ type: 'run-finished', summary });
  logger.info('run finished', { ...summary, failed: summary.failed.length });
  if (fatal) throw fatal;
  // Every object landed but the manifest did not: the day looks unfinished to a reader of the
  // bucket, so a scheduler must see a failure. (Objects that failed already fail their ticker.)
  if (manifestResult === 'failed') throw manifestNotUploaded(key, uploadFailures.get(key));

  return summary;
}

function manifestNotUploaded(key: string, reason = 'the upload failed'): AwsResourceError {
  return new AwsResourceError(`${key} was not uploaded: ${reason}`, {
    hint: 'run again: the day is stored here, and only what the bucket lacks is uploaded',
  });
}

/**
 * Everything the bucket holds for a day under the layout's prefixes, with the shard parts'
 * folder when asked: one listing per distinct prefix, merged by key.
 */
export async function listDay(
  sink: Pick<ObjectSink, 'list'>,
  layout: KeyLayout,
  date: TradingDate,
  withParts: boolean,
  signal?: AbortSignal,
): Promise<Map<string, RemoteObject>> {
  const templates = Object.values(layout).map((template) => listingPrefix(template, date));
  if (withParts) templates.push(partsPrefix(layout.manifest, date));
  const prefixes = [...new Set(templates)];
  const listings = await Promise.all(prefixes.map((prefix) => sink.list(prefix, signal)));

  return new Map(listings.flatMap((listing) => [...listing]));
}

async function uploadTicker(entry: ManifestEntry, options: RunDayOptions, uploader: Uploader) {
  const items: UploadItem[] = [];
  if (entry.raw) {
    const ext = entry.raw.file.slice(entry.raw.file.lastIndexOf('.') + 1);
    items.push({
      key: objectKey(options.layout.raw, options.date, entry.ticker, ext),
      path: options.store.pathOf(entry.raw.file),
      contentType: ext === 'json' ? 'application/json' : 'text/plain; charset=utf-8',
      ticker: entry.ticker,
    });
  }
  if (entry.csv) {
    items.push({
      key: objectKey(options.layout.bars, options.date, entry.ticker),
      path: options.store.pathOf(entry.csv.file),
      contentType: 'text/csv; charset=utf-8',
      ticker: entry.ticker,
    });
  }

  return Promise.all(items.map((item) => uploader.upload(item)));
}

function toOutcome(
  entry: ManifestEntry,
  fromEarlierRun: boolean,
  uploads: readonly UploadResult[],
  durationMs: number,
): TickerOutcome {
  const uploadFailed = uploads.includes('failed');

  return {
    ticker: entry.ticker,
    status: uploadFailed ? 'failed' : entry.status,
    bars: entry.bars,
    bytes: (entry.raw?.bytes ?? 0) + (entry.csv?.bytes ?? 0),
    currency: entry.currency,
    reason: uploadFailed ? 'upload failed (see the upload error above)' : entry.reason,
    permanent: isPermanentFailure(entry),
    fromEarlierRun,
    uploaded: uploads.filter((result) => result === 'uploaded').length,
    unchanged: uploads.filter((result) => result === 'unchanged').length,
    uploadFailed,
    durationMs,
  };
}

function buildManifest(
  options: RunDayOptions,
  tickers: readonly Ticker[],
  entries: ReadonlyMap<string, ManifestEntry>,
): Manifest {
  return {
    version: 1,
    date: options.date,
    exchange: options.exchange,
    timeZone: options.timeZone,
    source: options.source.name,
    simulated: options.source.simulated,
    tickers: tickers
      .map((ticker) => entries.get(ticker.symbol))
      .filter((entry): entry is ManifestEntry => entry !== undefined),
  };
}

/**
 * The manifest goes up last, and only when every ticker's objects are in the bucket: a
 * manifest in S3 is then a promise that everything it lists is there too.
 */
async function uploadManifest(
  manifest: Manifest,
  options: RunDayOptions,
  uploader: Uploader,
  outcomes: readonly TickerOutcome[],
): Promise<UploadResult | 'held-back'> {
  const { shard } = options;
  const file = shard ? localPartFile(shard) : 'manifest.json';
  if (shard) await writeManifestPart(options.store, manifest, shard);
  else await options.store.writeManifest(manifest);
  if (outcomes.some((outcome) => outcome.uploadFailed)) return 'held-back';

  return uploader.upload({
    key: runManifestKey(options.layout.manifest, options.date, shard),
    path: options.store.pathOf(file),
    contentType: 'application/json',
  });
}
