/**
 * `tickops --run-today`: the scheduled job. Reads the config, builds the clients, runs one
 * trading day and prints one line per finished ticker and a summary (or JSON lines), then
 * exits with the code the README documents.
 */
import { join } from 'node:path';
import { createS3Client } from '../services/aws-clients.js';
import { bundledTickerList, demoRecordings, demoTickerList } from '../services/bundled.js';
import type { Config, FlagValues } from '../services/config.js';
import { DayStore } from '../services/day-store.js';
import { ConfigError, ExitCode, InterruptedError } from '../services/errors.js';
import { createSource } from '../services/market-data/index.js';
import { createFolderSink, createS3Sink, type ObjectSink } from '../services/object-sink.js';
import { runDay, type RunSummary } from '../services/run-day.js';
import { loadTickerList } from '../services/tickers.js';
import { parseTradingDate, tradingDateAt } from '../services/trading-day.js';
import type { CliOptions } from './cli-options.js';
import { loadCommandContext } from './command-context.js';
import { createRunPrinter } from './run-printer.js';
import { reportFailure } from './report-failure.js';

/** The trading day the demo recordings cover (the first session after US DST began). */
export const demoDate = '2013-03-11';

/** The settings `--demo` stands for, below anything given explicitly. */
const demoPreset: FlagValues = {
  source: 'replay',
  replayDirectory: demoRecordings,
  tickersFile: demoTickerList,
  exchange: 'NASDAQ',
  timeZone: 'America/New_York',
};

/** Run the job; resolves with the process exit code. */
export async function runTodayCommand(
  options: CliOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const stdout = process.stdout;
  const stderr = process.stderr;
  let verbose = false;

  try {
    const { config, logger } = loadCommandContext(options, env, options.demo ? demoPreset : {});
    verbose = config.logLevel === 'debug';
    const now = config.now ? Date.parse(config.now) : Date.now();
    const date = resolveDate(options, config, now);
    const source = createSource({
      source: config.source,
      sourceUrl: config.sourceUrl,
      replayDirectory: config.replayDirectory,
      timeoutMs: config.requestTimeoutMs,
    });
    const refusal = source.checkDate(date, now);
    if (refusal) throw new ConfigError(`${config.source} cannot serve ${date}: ${refusal}`);

    const list = await loadTickerList(config.tickersFile ?? bundledTickerList);
    if (list.duplicates.length > 0) {
      logger.warn('duplicate tickers ignored', { list: list.path, duplicates: list.duplicates });
    }

    const interrupt = new AbortController();
    const stopOnSignal = () => {
      if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
      stderr.write('tickops: stopping: finishing files in progress (Ctrl-C again to quit now)\n');
      interrupt.abort(new InterruptedError('interrupted'));
    };
    process.on('SIGINT', stopOnSignal);
    process.on('SIGTERM', stopOnSignal);

    const printer = createRunPrinter({
      write: (text) => stdout.write(text),
      json: Boolean(options.json),
    });
    let summary: RunSummary;
    try {
      summary = await runDay({
        date,
        tickers: list.tickers,
        source,
        exchange: config.exchange,
        timeZone: config.timeZone,
        layout: config.layout,
        store: new DayStore(config.dataDirectory, date),
        sink: chooseSink(options, config),
        concurrency: config.concurrency,
        uploadConcurrency: config.uploadConcurrency,
        retries: config.retries,
        force: Boolean(options.force),
        dryRun: Boolean(options.dryRun),
        signal: interrupt.signal,
        logger,
        onEvent: printer,
      });
    } finally {
      process.off('SIGINT', stopOnSignal);
      process.off('SIGTERM', stopOnSignal);
    }

    return summary.failed.length > 0 ? ExitCode.partial : ExitCode.ok;
  } catch (error) {
    return reportFailure(error, stderr, verbose);
  }
}

function resolveDate(options: CliOptions, config: Config, now: number): string {
  const given =
    typeof options.date === 'string' ? options.date : options.demo ? demoDate : undefined;
  if (given === undefined) return tradingDateAt(now, config.timeZone);

  const date = parseTradingDate(given);
  if (!date) throw new ConfigError(`--date: expected a date as YYYY-MM-DD, got '${given}'`);

  return date;
}

/**
 * S3 unless a local folder was asked for. The demo never talks to real AWS: without an
 * endpoint override it keeps its objects in a folder and says so.
 */
function chooseSink(options: CliOptions, config: Config): ObjectSink {
  if (typeof options.localSink === 'string')
    return createFolderSink(options.localSink, config.bucket);
  if (options.demo && !config.endpoint) {
    return createFolderSink(join(config.dataDirectory, 'local-bucket'), config.bucket);
  }

  return createS3Sink(createS3Client(config), {
    bucket: config.bucket,
    region: config.region,
    endpoint: config.endpoint,
  });
}
