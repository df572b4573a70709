/**
 * Everything a run of the job stands on, built once from the config: the source, the ticker
 * list and the sink. `--run-today` and the console's Run screen both start runs through
 * `launchRun`, so they behave alike in every respect but the output.
 */
import { join } from 'node:path';
import { createS3Client } from '../services/aws-clients.js';
import { bundledTickerList } from '../services/bundled.js';
import type { Config } from '../services/config.js';
import { DayStore } from '../services/day-store.js';
import { ConfigError } from '../services/errors.js';
import type { Logger } from '../services/logger.js';
import { createSource } from '../services/market-data/index.js';
import type { MarketDataSource, TradingDate } from '../services/market-data/types.js';
import {
  createFolderPartReader,
  createS3PartReader,
  type PartReader,
} from '../services/merge-read.js';
import { createFolderSink, createS3Sink, type ObjectSink } from '../services/object-sink.js';
import { runDay, type RunEvent, type RunSummary } from '../services/run-day.js';
import { loadTickerList, withoutSourceAliases, type TickerList } from '../services/tickers.js';

/** The parts of a run that do not change between runs of one process. */
export interface RunSetup {
  readonly config: Config;
  readonly logger: Logger;
  readonly source: MarketDataSource;
  readonly list: TickerList;
  readonly sink: ObjectSink;
  /** Reads shard manifest parts back from the sink, for merging a sharded day. */
  readonly parts: PartReader;
}

/** Where objects go: S3, or a folder when asked (`--local-sink`, or the demo without S3). */
export interface SinkChoice {
  readonly localSink?: string;
  /** The demo never talks to real AWS: without an endpoint it keeps objects in a folder. */
  readonly demo?: boolean;
}

/** Build the source, list and sink; throws ConfigError on a bad list or source. */
export async function prepareRuns(
  config: Config,
  logger: Logger,
  sink: SinkChoice = {},
): Promise<RunSetup> {
  const source = createSource({
    source: config.source,
    sourceUrl: config.sourceUrl,
    replayDirectory: config.replayDirectory,
    timeoutMs: config.requestTimeoutMs,
  });
  const listed = await loadTickerList(config.tickersFile ?? bundledTickerList);
  if (listed.duplicates.length > 0) {
    logger.warn('duplicate tickers ignored', { list: listed.path, duplicates: listed.duplicates });
  }
  const { list, aliases } = withoutSourceAliases(
    listed,
    (ticker) => ticker.sourceSymbol ?? source.toSourceSymbol(ticker.symbol, config.exchange),
  );
  for (const alias of aliases) {
    logger.warn('ticker ignored: the source knows it by the same symbol as another', {
      list: list.path,
      ...alias,
    });
  }

  return { config, logger, source, list, ...chooseSink(sink, config) };
}

/** The instant the job takes as now: the configured one (replays, tests) or the clock. */
export function configuredNow(config: Config): () => number {
  const fixed = config.now ? Date.parse(config.now) : undefined;

  return fixed === undefined ? Date.now : () => fixed;
}

/** What one run is asked to do. */
export interface RunOrder {
  readonly date: TradingDate;
  readonly force?: boolean;
  readonly retry?: readonly string[];
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent: (event: RunEvent) => void;
}

/** Refuse a date the source cannot serve (too old, in the future), saying what to do. */
export function checkSourceDate(setup: Pick<RunSetup, 'config' | 'source'>, date: TradingDate) {
  const { config } = setup;
  const refusal = setup.source.checkDate(date, configuredNow(config)());
  if (!refusal) return;

  throw new ConfigError(`${config.source} cannot serve ${date}: ${refusal}`, {
    hint: 'choose a date the source keeps with --date, or leave --date out for today',
  });
}

/** Check the date against the source, then run the day. */
export async function launchRun(setup: RunSetup, order: RunOrder): Promise<RunSummary> {
  const { config } = setup;
  checkSourceDate(setup, order.date);

  return runDay({
    date: order.date,
    tickers: setup.list.tickers,
    source: setup.source,
    exchange: config.exchange,
    timeZone: config.timeZone,
    layout: config.layout,
    store: new DayStore(config.dataDirectory, order.date),
    sink: setup.sink,
    concurrency: config.concurrency,
    uploadConcurrency: config.uploadConcurrency,
    retries: config.retries,
    force: order.force,
    retry: order.retry,
    dryRun: order.dryRun,
    shard: config.shard,
    signal: order.signal,
    logger: setup.logger,
    onEvent: order.onEvent,
  });
}

/** The sink and the reader of shard parts alone, for merging a day without running it. */
export function prepareSink(
  config: Config,
  choice: SinkChoice = {},
): { sink: ObjectSink; parts: PartReader } {
  return chooseSink(choice, config);
}

function chooseSink(choice: SinkChoice, config: Config): { sink: ObjectSink; parts: PartReader } {
  const folder =
    choice.localSink ??
    (choice.demo && !config.endpoint ? join(config.dataDirectory, 'local-bucket') : undefined);
  if (folder !== undefined) {
    const sink = createFolderSink(folder, config.bucket);
    return { sink, parts: createFolderPartReader(folder, config.bucket) };
  }

  const s3 = createS3Client(config);
  const target = { bucket: config.bucket, region: config.region, endpoint: config.endpoint };

  return { sink: createS3Sink(s3, target), parts: createS3PartReader(s3, target) };
}
