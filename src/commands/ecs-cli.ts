/**
 * `tickops ecs plan|apply`: the flags only. The work is in ./ecs.js, loaded when one of them
 * runs, so the ECS, Scheduler, IAM and STS clients never load on `--run-today`'s path.
 */
import type { Command } from 'commander';
import { addConfigOptions, type CliOptions } from './cli-options.js';
import { settle } from './settle.js';

/** Add the `ecs` command and its subcommands to the program. */
export function defineEcsCommand(program: Command): void {
  const ecs = program
    .command('ecs')
    .description("schedule a day's shards as ECS Fargate tasks (EventBridge Scheduler)");

  for (const [action, description] of [
    ['plan', 'show the task definition and schedules the shards need; change nothing'],
    ['apply', 'register the task definition and create, update or delete the schedules'],
  ] as const) {
    addConfigOptions(ecs.command(action).description(description))
      .option('--image <reference>', 'container image the tasks run')
      .option('--execution-role <name>', 'role that pulls the image and writes logs (name or ARN)')
      .option(
        '--scheduler-role <name>',
        'role the scheduler assumes to run the tasks (name or ARN)',
      )
      .option('--cluster <name>', 'ECS cluster (needed when there is more than one)')
      .option('--subnets <ids>', 'subnets for the tasks, comma-separated')
      .option('--security-groups <ids>', 'security groups for the tasks, comma-separated')
      .option('--no-public-ip', 'no public IP (subnets with a NAT gateway)')
      .option('--at <HH:MM>', 'start time on weekdays, in the exchange zone (default 17:00)')
      .option('--vcpu <n>', 'vCPUs per shard: 0.25, 0.5 (default), 1, 2...')
      .option('--memory <MiB>', 'memory per shard in MiB (default 1024)')
      .option('--log-group <name>', "CloudWatch Logs group for the tasks' output")
      .option(
        '--tickers-in-image <path>',
        'ticker list inside the image (default: the bundled list)',
      )
      .option('--json', 'print JSON instead of text')
      .action(async (_options: CliOptions, command: Command) => {
        const options = command.optsWithGlobals<CliOptions>();
        const { ecsCommand } = await import('./ecs.js');
        await settle(() => ecsCommand(action, options));
      });
  }
}
