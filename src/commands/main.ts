#!/usr/bin/env node
/**
 * The `tickops` entry point. It parses the command line and hands over to one command module,
 * loaded only when needed, so that `--run-today` (the container's path) never loads the
 * console's UI libraries and starts fast.
 */
import { Command, Option } from 'commander';
import { reportFailure } from './report-failure.js';

// The AWS SDK warns on Node 20 that its 2027 releases will need Node 22. The lock file pins a
// release that supports Node 20 and the image runs Node 24, so the warning would only be noise
// in every scheduled run's log; the README says so.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = new Command('tickops')
  .description('Download a trading day of one-minute bars per ticker and store them in S3.')
  .option('--run-today', 'run the daily job non-interactively (what the container runs)')
  .option('--date <YYYY-MM-DD>', 'trading date to fetch (default: today in the exchange zone)')
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
  .option('--local-sink <folder>', 'store objects in a local folder instead of S3')
  .option('--json', 'print JSON lines instead of text')
  .option('--dry-run', 'say what would be downloaded and uploaded; touch nothing')
  .option('--force', 'download and upload again even what is already complete')
  .option('--demo', 'use the bundled recordings: no AWS account and no network needed')
  .option('--now <instant>', 'take this ISO-8601 instant as now (replays and tests)')
  .option('--log-level <level>', 'stderr log level: debug, info, warn (default), error, silent')
  .option('--no-color', 'no colour in the output (NO_COLOR is honoured too)')
  .showHelpAfterError('(run tickops --help for the options)')
  .configureOutput({ outputError: (text, write) => write(text) })
  .exitOverride();

async function main(argv: readonly string[]): Promise<number> {
  try {
    program.parse(argv as string[]);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }

  const options = program.opts<Record<string, string | boolean | undefined>>();
  if (options.runToday) {
    const { runTodayCommand } = await import('./run-today.js');
    return runTodayCommand(options);
  }

  process.stderr.write(
    process.stdin.isTTY
      ? 'tickops: the interactive console is not part of this version; use tickops --run-today\n'
      : 'tickops: the console needs a terminal; for the scheduled job use tickops --run-today\n',
  );

  return 2;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportFailure(error, process.stderr);
  },
);
