/**
 * `tickops --run-today`: the scheduled job. Reads the config, builds the clients, runs one
 * trading day and prints one line per finished ticker and a summary (or JSON lines), then
 * exits with the code the README documents. With `--shard K/N` it runs one shard and uploads
 * that shard's manifest part; with `--shards N --local` it runs all N shards here as child
 * processes and merges them; with `--merge` it only merges the parts already in the bucket.
 */
import { fileURLToPath } from 'node:url';
import { demoRecordings, demoTickerList } from '../services/bundled.js';
import type { Config, FlagValues } from '../services/config.js';
import { DayStore } from '../services/day-store.js';
import { ConfigError, ExitCode, InterruptedError, TickopsError } from '../services/errors.js';
import { mergeDay } from '../services/merge-day.js';
import { lockWholeDay } from '../services/run-lock.js';
import { formatMerge, mergeExitCode, mergeJson } from '../services/merge-describe.js';
import type { RunSummary } from '../services/run-day.js';
import { emptySummary } from '../services/run-summary.js';
import { shareOf, allShards } from '../services/shard.js';
import { isWeekend, tradingDateAt } from '../services/trading-day.js';
import { parseDateOption, type CliOptions } from './cli-options.js';
import { loadCommandContext } from './command-context.js';
import { createRunPrinter, formatSummary } from './run-printer.js';
import {
  checkSourceDate,
  configuredNow,
  launchRun,
  prepareRuns,
  prepareSink,
  type SinkChoice,
} from './run-setup.js';
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

/** This binary's entry point, which every local shard runs. */
const mainScript = fileURLToPath(new URL('./main.js', import.meta.url));

/** Where a command prints. */
interface Output {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Run the job; resolves with the process exit code. */
export async function runTodayCommand(
  options: CliOptions,
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv.slice(2),
): Promise<number> {
  const io: Output = { stdout: process.stdout, stderr: process.stderr };
  let verbose = false;

  try {
    const { config, logger } = loadCommandContext(options, env, options.demo ? demoPreset : {});
    verbose = config.logLevel === 'debug';
    const date = resolveDate(options, config, configuredNow(config)());
    const sinkChoice: SinkChoice = {
      localSink: typeof options.localSink === 'string' ? options.localSink : undefined,
      demo: Boolean(options.demo),
    };
    const mode = runMode(options, config);
    if (mode === 'merge') return await mergeOnly(config, date, sinkChoice, options, io);

    const setup = await prepareRuns(config, logger, sinkChoice);
    if (mode === 'local') return await runShardsHere(setup, date, argv, options, io);

    const printer = createRunPrinter({
      write: (text) => io.stdout.write(text),
      json: Boolean(options.json),
    });
    const summary: RunSummary = await whileInterruptible(io, (signal) =>
      launchRun(setup, {
        date,
        force: Boolean(options.force),
        dryRun: Boolean(options.dryRun),
        signal,
        onEvent: printer,
      }),
    );

    if (config.shard && options.merge !== false && !options.dryRun) {
      await mergeAfterShard(setup, date, summary, options, io);
    }

    return summary.failed.length > 0 ? ExitCode.partial : ExitCode.ok;
  } catch (error) {
    return reportFailure(error, io.stderr, verbose);
  }
}

/** Which of the job's forms the flags ask for. */
function runMode(options: CliOptions, config: Config): 'run' | 'local' | 'merge' {
  if (options.merge) return 'merge';
  if (options.local) {
    if (config.shardCount === undefined || config.shard !== undefined) {
      throw new ConfigError('--local runs every shard of a day here and needs --shards N alone', {
        hint: 'e.g. tickops --run-today --shards 8 --local (without --shard)',
      });
    }
    return 'local';
  }
  if (config.shardCount !== undefined && config.shard === undefined) {
    throw new ConfigError(`${config.shardCount} shards asked for, but not which one this is`, {
      hint: 'add --local to run them all here, or --shard K/N (AWS Batch sets the index itself)',
    });
  }

  return 'run';
}

/** `--shards N --local`: every shard as a child process, then the merge. */
async function runShardsHere(
  setup: Awaited<ReturnType<typeof prepareRuns>>,
  date: string,
  argv: readonly string[],
  options: CliOptions,
  io: Output,
): Promise<number> {
  if (isWeekend(date)) {
    const closed = emptySummary(date, setup.list.tickers.length, 'weekend: the exchange is closed');
    for (const text of formatSummary(closed, false)) io.stdout.write(`${text}\n`);
    return ExitCode.ok;
  }

  checkSourceDate(setup, date);
  const store = new DayStore(setup.config.dataDirectory, date);
  // Held for the children, which check that it is their parent's; no other run may start.
  const lock = await lockWholeDay(store.folder, date);
  try {
    return await runShardsUnderLock(setup, store, date, argv, options, io);
  } finally {
    await lock.release();
  }
}

async function runShardsUnderLock(
  setup: Awaited<ReturnType<typeof prepareRuns>>,
  store: DayStore,
  date: string,
  argv: readonly string[],
  options: CliOptions,
  io: Output,
): Promise<number> {
  const { config } = setup;
  // Loaded here: execa is only needed by the parent of local shards, never by a shard itself.
  const { formatShardLine, runLocalShards, shardChildArgs, worstExitCode } =
    await import('../services/shard-runner.js');
  const count = config.shardCount ?? 1;
  const json = Boolean(options.json);
  const line = (text: string) => io.stdout.write(`${text}\n`);
  // Cleared once here, while no shard is writing; the shards themselves leave it alone.
  await store.prepare();

  const sizes = allShards(count).map((shard) => shareOf(setup.list.tickers, shard).length);
  if (!json) {
    line(
      `${date}: ${setup.list.tickers.length} tickers in ${count} shards on this host ` +
        `(${Math.min(...sizes)} to ${Math.max(...sizes)} each) -> ${setup.sink.description}`,
    );
  }
  const exits = await whileInterruptible(io, (signal) =>
    runLocalShards({
      count,
      command: process.execPath,
      argsFor: (shard) => [
        mainScript,
        ...shardChildArgs(argv),
        // This parent merges once every child is done; children merging too would only race.
        ...['--shard', `${shard.index}/${shard.count}`, '--date', date, '--no-merge'],
      ],
      signal,
      onLine: (shardLine) => {
        const target = shardLine.stream === 'stdout' ? io.stdout : io.stderr;
        target.write(`${formatShardLine(shardLine, json)}\n`);
      },
    }),
  );
  const worst = worstExitCode(exits.map((exit) => exit.exitCode));
  if (worst === ExitCode.interrupted || options.dryRun) return worst;

  const merge = await mergeDay({
    date,
    layout: config.layout,
    count,
    store,
    sink: setup.sink,
    reader: setup.parts,
  });
  if (json) line(JSON.stringify(mergeJson(merge)));
  else for (const text of formatMerge(merge)) line(text);

  return worstExitCode([worst, mergeExitCode(merge)]);
}

/**
 * After a cloud shard has uploaded its part, try to merge the day: the last shard to finish sees
 * every part and uploads the day's manifest, the others find parts missing and leave it. Two
 * shards finishing together may both see the whole set; their merges are the same bytes. The
 * shard's exit code stays its own, so the engine never retries a shard for the merge's sake;
 * an operator can always merge later with --merge.
 */
async function mergeAfterShard(
  setup: Awaited<ReturnType<typeof prepareRuns>>,
  date: string,
  summary: RunSummary,
  options: CliOptions,
  io: Output,
): Promise<void> {
  const { config } = setup;
  const count = config.shard?.count;
  const line = (text: string) => io.stdout.write(`${text}\n`);
  if (summary.manifest !== 'uploaded' && summary.manifest !== 'unchanged') return;

  try {
    const merge = await mergeDay({
      date,
      layout: config.layout,
      count,
      store: new DayStore(config.dataDirectory, date),
      sink: setup.sink,
      reader: setup.parts,
    });
    if (options.json) line(JSON.stringify(mergeJson(merge)));
    else if (merge.complete) for (const text of formatMerge(merge)) line(text);
    else {
      line(
        `merge ${date}: ${merge.present.length} of ${merge.count} shards in so far; ` +
          'the last shard to finish merges the day',
      );
    }
  } catch (error) {
    const problem = error instanceof TickopsError ? error : undefined;
    const reason = problem?.message ?? String(error);
    const hint = problem?.hint ? `; ${problem.hint}` : '';
    // The shard's own work is stored and its part uploaded; only the merge is left to do.
    line(`merge ${date} not done: ${reason}${hint}; or merge later: tickops --run-today --merge`);
  }
}

/** `--merge`: merge the parts the shards uploaded, without running anything. */
async function mergeOnly(
  config: Config,
  date: string,
  sinkChoice: SinkChoice,
  options: CliOptions,
  io: Output,
): Promise<number> {
  const { sink, parts } = prepareSink(config, sinkChoice);
  const merge = await mergeDay({
    date,
    layout: config.layout,
    count: config.shardCount,
    store: new DayStore(config.dataDirectory, date),
    sink,
    reader: parts,
  });
  const lines = options.json ? [JSON.stringify(mergeJson(merge))] : formatMerge(merge);
  io.stdout.write(`${lines.join('\n')}\n`);

  return mergeExitCode(merge);
}

/**
 * Run work that stops cleanly on the first Ctrl-C or SIGTERM (files in progress are finished)
 * and exits at once on the second.
 */
async function whileInterruptible<T>(io: Output, work: (signal: AbortSignal) => Promise<T>) {
  const interrupt = new AbortController();
  const stopOnSignal = () => {
    if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
    io.stderr.write('tickops: stopping: finishing files in progress (Ctrl-C again to quit now)\n');
    interrupt.abort(new InterruptedError('interrupted'));
  };
  process.on('SIGINT', stopOnSignal);
  process.on('SIGTERM', stopOnSignal);

  try {
    return await work(interrupt.signal);
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  }
}

function resolveDate(options: CliOptions, config: Config, now: number): string {
  const given =
    typeof options.date === 'string' ? options.date : options.demo ? demoDate : undefined;
  if (given === undefined) return tradingDateAt(now, config.timeZone);

  return parseDateOption(given);
}
