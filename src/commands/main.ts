#!/usr/bin/env node
/**
 * The `tickops` entry point. It parses the command line and hands over to one command module,
 * loaded only when needed, so that `--run-today` (the container's path) never loads the
 * console's UI libraries and starts fast. Subcommands declare their flags in small `*-cli.ts`
 * files that import nothing but commander.
 */
import { Command } from 'commander';
import { defineBatchCommand } from './batch-cli.js';
import { addConfigOptions, type CliOptions } from './cli-options.js';
import { defineEc2Command } from './ec2-cli.js';
import { defineEcsCommand } from './ecs-cli.js';
import { defineIamCommand } from './iam-cli.js';
import { reportFailure } from './report-failure.js';
import { defineSetupCommand } from './setup-cli.js';
import { ExitCode } from '../services/errors.js';
import { settle, settledExitCode } from './settle.js';

// The AWS SDK warns on Node 20 that its 2027 releases will need Node 22. The lock file pins a
// release that supports Node 20 and the image runs Node 24, so the warning would only be noise
// in every scheduled run's log; the README says so.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The command's exit code once it has settled. */
let finalCode: number | undefined;

// `tickops ec2 status | head` closes the pipe early; that is the reader's choice, not an error.
// A run is different: its work is the day's data, not its output, so it goes on unprinted
// (`tickops --run-today | head -1` must not leave a day half done and exit 0).
const isRun = process.argv.includes('--run-today');
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (!isRun) process.exit(finalCode ?? 0);

    stream.write = () => true;
    if (stream === process.stdout) {
      process.stderr.write('tickops: the output was closed; the run goes on without printing\n');
    }
  });
}

const program = addConfigOptions(
  new Command('tickops')
    .description('Download a trading day of one-minute bars per ticker and store them in S3.')
    .option('--run-today', 'run the daily job non-interactively (what the container runs)')
    .option('--date <YYYY-MM-DD>', 'trading date to fetch (default: today in the exchange zone)')
    .option('--local-sink <folder>', 'store objects in a local folder instead of S3')
    .option('--json', 'print JSON lines instead of text')
    .option('--dry-run', 'say what would be downloaded and uploaded; touch nothing')
    .option('--force', 'download and upload again even what is already complete')
    .option('--demo', 'use the bundled recordings: no AWS account and no network needed')
    .option('--shard <K/N>', 'run shard K of N (from 0) and upload its manifest part')
    .option('--shards <n>', 'the number of shards of a sharded run (TICKOPS_SHARD_COUNT)')
    .option('--local', 'with --shards N: run all N shards here as child processes, then merge')
    .option('--merge', "merge the shards' manifest parts into the day's manifest")
    .option('--no-merge', 'with --shard K/N: leave the merge to --merge (a shard tries it last)'),
)
  .showHelpAfterError('(run tickops --help for the options)')
  .configureOutput({ outputError: (text, write) => write(text) })
  .exitOverride()
  .action(async (options: CliOptions) => {
    if (options.runToday) {
      const { runTodayCommand } = await import('./run-today.js');
      await settle(() => runTodayCommand(options));
      return;
    }

    await settle(async () => {
      const { openConsole } = await import('./console.js');
      return openConsole(options);
    });
  });

defineIamCommand(program);
defineEc2Command(program);
defineBatchCommand(program);
defineEcsCommand(program);
defineSetupCommand(program);

async function main(argv: readonly string[]): Promise<number> {
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }

  return settledExitCode();
}

// Node ends a process whose event loop has nothing left to wait for, with exit code 0, even
// when the command's promise never settled: a run stuck that way (a lost timer, a promise
// nobody resolves) would pass for a finished day. Until the command settles the code is 1,
// and an ending before then says so.
process.exitCode = ExitCode.partial;
process.on('exit', (code) => {
  if (finalCode === undefined && code === ExitCode.partial) {
    process.stderr.write(
      'tickops: stopped before the command finished; this is a bug: run it again\n',
    );
  }
});

main(process.argv).then(
  (code) => {
    finalCode = code;
    process.exitCode = code;
  },
  (error: unknown) => {
    finalCode = reportFailure(error, process.stderr);
    process.exitCode = finalCode;
  },
);
