/**
 * `tickops batch plan|apply|submit|status`: the flags only. The work is in ./batch.js, loaded
 * when one of them runs, so declaring them costs `--run-today` nothing at start-up (the Batch,
 * IAM and STS clients are loaded there, never on the job's path).
 */
import type { Command } from 'commander';
import { addConfigOptions, type CliOptions } from './cli-options.js';
import { settle } from './settle.js';

type BatchAction = 'plan' | 'apply' | 'submit' | 'status';

/** Add the `batch` command and its subcommands to the program. */
export function defineBatchCommand(program: Command): void {
  const batch = program
    .command('batch')
    .description('run a day as an AWS Batch array job of shards on Fargate');

  const subcommand = (action: BatchAction, description: string) =>
    addConfigOptions(batch.command(action).description(description))
      .option('--queue <name>', 'job queue (needed when more than one could run the shards)')
      .option('--json', 'print JSON instead of text')
      .action(async (_options: CliOptions, command: Command) => {
        // Merged with the program's own flags (--date, --json...), which commander takes first.
        const options = command.optsWithGlobals<CliOptions>();
        const { batchCommand } = await import('./batch.js');
        await settle(() => batchCommand(action, options));
      });

  for (const [action, description] of [
    ['plan', 'show the job definition and queue the shards would use; change nothing'],
    ['apply', 'register the job definition when it differs from the latest revision'],
  ] as const) {
    subcommand(action, description)
      .option(
        '--image <reference>',
        'container image, e.g. ACCOUNT.dkr.ecr.REGION.amazonaws.com/tickops:1.0',
      )
      .option('--execution-role <name>', 'role that pulls the image and writes logs (name or ARN)')
      .option('--vcpu <n>', 'vCPUs per shard: 0.25, 0.5 (default), 1, 2...')
      .option('--memory <MiB>', 'memory per shard in MiB (default 1024)')
      .option('--attempts <n>', 'attempts per shard, 1 to 10 (default 2)')
      .option('--timeout <seconds>', 'longest an attempt may run (default 3600)')
      .option(
        '--tickers-in-image <path>',
        'ticker list inside the image (default: the bundled list)',
      )
      .option('--no-public-ip', 'no public IP (subnets with a NAT gateway)');
  }

  subcommand('submit', "submit a day's array job: one child per shard").option(
    '--size <n>',
    'number of shards (array size, 2 or more)',
  );
  subcommand('status', "list a day's shards with their status and exit codes").option(
    '--job-id <id>',
    'the array job (default: the newest job of --date in the queue)',
  );
}
