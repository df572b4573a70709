/**
 * `tickops iam check` and `tickops iam apply`: the flags only. The work is in ./iam.js, loaded
 * when one of them runs, so declaring them costs the other commands nothing at start-up.
 */
import { Option, type Command } from 'commander';
import { addConfigOptions, type CliOptions } from './cli-options.js';
import { settle } from './settle.js';

function policyOption(): Option {
  return new Option('--policy <flavour>', 's3_upload document to want')
    .choices(['least-privilege', 'original'])
    .default('least-privilege');
}

/**
 * The subcommand's options merged with the program's. Commander lets the program claim its
 * own flags (--json, --dry-run, --bucket, ...) wherever they appear, even after `iam check`,
 * so those land on the program and the rest on the subcommand.
 */
function allOptions(command: Command): CliOptions {
  return command.optsWithGlobals<CliOptions>();
}

/** Add the `iam` command and its `check` and `apply` subcommands to the program. */
export function defineIamCommand(program: Command): void {
  const iam = program
    .command('iam')
    .description('check or put in place the s3_upload policy, DataProcessor role and profile');

  addConfigOptions(
    iam
      .command('check')
      .description('report each piece as present, missing, drifted or cannot-check (read-only)')
      .addOption(policyOption())
      .option('--ecs', 'also want what shards need: ECS tasks in the trust, reading shard parts')
      .option('--json', 'print the report as one JSON object'),
  ).action(async (_options: CliOptions, command: Command) => {
    const { iamCheckCommand } = await import('./iam.js');
    await settle(() => iamCheckCommand(allOptions(command)));
  });

  addConfigOptions(
    iam
      .command('apply')
      .description('show the plan, ask, then create what is missing and fix drift')
      .addOption(policyOption())
      .option('--ecs', 'let ECS tasks assume the role and read shard manifest parts (for shards)')
      .option('--yes', 'apply without asking (for scripts)')
      .option('--dry-run', 'only show the plan; change nothing')
      .option('--json', 'print JSON lines: the plan, then each step'),
  ).action(async (_options: CliOptions, command: Command) => {
    const { iamApplyCommand } = await import('./iam.js');
    await settle(() => iamApplyCommand(allOptions(command)));
  });
}
