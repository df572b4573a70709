/**
 * `tickops --run-today`: the scheduled job. Reads the config, builds the clients, runs one
 * trading day and prints one line per finished ticker and a summary (or JSON lines), then
 * exits with the code the README documents.
 */
import { demoRecordings, demoTickerList } from '../services/bundled.js';
import type { Config, FlagValues } from '../services/config.js';
import { ConfigError, ExitCode, InterruptedError } from '../services/errors.js';
import type { RunSummary } from '../services/run-day.js';
import { parseTradingDate, tradingDateAt } from '../services/trading-day.js';
import type { CliOptions } from './cli-options.js';
import { loadCommandContext } from './command-context.js';
import { createRunPrinter } from './run-printer.js';
import { configuredNow, launchRun, prepareRuns } from './run-setup.js';
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
    const date = resolveDate(options, config, configuredNow(config)());
    const setup = await prepareRuns(config, logger, {
      localSink: typeof options.localSink === 'string' ? options.localSink : undefined,
      demo: Boolean(options.demo),
    });

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
      summary = await launchRun(setup, {
        date,
        force: Boolean(options.force),
        dryRun: Boolean(options.dryRun),
        signal: interrupt.signal,
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
