/**
 * The settings flags every command shares, and their translation into config flags. Only
 * commander is imported here, so declaring a command costs nothing at start-up.
 */
import { Option, type Command } from 'commander';
import type { FlagValues } from '../services/config.js';
import { ConfigError } from '../services/errors.js';
import type { TradingDate } from '../services/market-data/types.js';
import { parseTradingDate } from '../services/trading-day.js';

/** Parsed command-line options, as commander hands them over. */
export type CliOptions = Record<string, string | boolean | undefined>;

/** Add the flags that set config keys (bucket, region, endpoint, ...) to a command. */
export function addConfigOptions(command: Command): Command {
  return command
    .option('--tickers <file>', 'ticker list: CSV with a ticker column, or one symbol a line')
    .option('--bucket <name>', 'S3 bucket (default ftse100)')
    .option('--region <region>', 'AWS region of the bucket (default eu-west-1)')
    .addOption(
      new Option('--source <name>', 'market-data source').choices([
        'yahoo',
        'google',
        'replay',
        'simulated',
      ]),
    )
    .option('--source-url <url>', 'base URL of a compatible market-data endpoint')
    .option('--replay-dir <folder>', 'recorded responses for --source replay')
    .option('--exchange <code>', 'exchange code, e.g. LON (default) or NASDAQ')
    .option('--time-zone <zone>', 'IANA zone of the exchange (default Europe/London)')
    .option('--concurrency <n>', 'downloads in flight at most (default 8)')
    .option('--upload-concurrency <n>', 'uploads in flight at most (default 16)')
    .option('--retries <n>', 'retries per ticker for passing failures (default 4)')
    .option('--request-timeout <ms>', 'timeout of one market-data request (default 20000)')
    .option('--data-dir <folder>', 'local copy of the data (default ./tickops-data)')
    .option('--endpoint-url <url>', 'AWS endpoint override, e.g. a local emulator')
    .option('--path-style', 'force path-style S3 addressing')
    .option('--profile <name>', 'AWS profile for credentials')
    .option('--config <file>', 'config file (default ./tickops.config.json)')
    .option('--now <instant>', 'take this ISO-8601 instant as now (replays and tests)')
    .option('--log-level <level>', 'stderr log level: debug, info, warn (default), error, silent')
    .option('--no-color', 'no colour in the output (NO_COLOR is honoured too)');
}

const flagToKey: Record<string, keyof FlagValues> = {
  tickers: 'tickersFile',
  bucket: 'bucket',
  region: 'region',
  source: 'source',
  sourceUrl: 'sourceUrl',
  replayDir: 'replayDirectory',
  exchange: 'exchange',
  timeZone: 'timeZone',
  concurrency: 'concurrency',
  uploadConcurrency: 'uploadConcurrency',
  retries: 'retries',
  requestTimeout: 'requestTimeoutMs',
  dataDir: 'dataDirectory',
  endpointUrl: 'endpoint',
  pathStyle: 'forcePathStyle',
  profile: 'profile',
  logLevel: 'logLevel',
  now: 'now',
  shard: 'shard',
  shards: 'shardCount',
};

/** Turn parsed options into config flags, over the given defaults (the demo preset's). */
export function flagsFrom(options: CliOptions, defaults: FlagValues = {}): FlagValues {
  const flags: FlagValues = { ...defaults };
  for (const [option, key] of Object.entries(flagToKey)) {
    if (options[option] !== undefined) flags[key] = options[option];
  }

  return flags;
}

/** Did the operator ask for no colour (`--no-color` or NO_COLOR)? */
export function wantsNoColor(options: CliOptions, env: NodeJS.ProcessEnv): boolean {
  return options.color === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

/** The date `--date` names, or a one-line error saying what a date looks like. */
export function parseDateOption(given: string): TradingDate {
  const date = parseTradingDate(given.trim());
  if (date) return date;

  const shaped = /^\d{4}-\d{2}-\d{2}$/.test(given.trim());
  throw new ConfigError(
    shaped
      ? `--date: '${given}' is not a day of the calendar`
      : `--date: expected a date as YYYY-MM-DD, got '${given}'`,
    { hint: 'give a trading date such as 2024-10-25, or leave --date out for today' },
  );
}
