/**
 * `tickops setup`: the flags only. The wizard is in ./setup.js, loaded when the command runs,
 * so declaring it costs `--run-today` nothing at start-up.
 */
import { Option, type Command } from 'commander';
import { addConfigOptions, type CliOptions } from './cli-options.js';
import { settle } from './settle.js';

/** Add the `setup` command to the program. */
export function defineSetupCommand(program: Command): void {
  addConfigOptions(
    program
      .command('setup')
      .description('first-time setup, step by step: IAM, the bucket and the config file')
      .addOption(
        new Option('--policy <flavour>', 's3_upload document, with --yes')
          .choices(['least-privilege', 'original'])
          .default('least-privilege'),
      )
      .option('--ecs', 'with --yes: let ECS tasks assume the role too')
      .option('--yes', 'no wizard: apply the plan for --bucket and --region without asking')
      .option('--dry-run', 'with --yes: only show the plan; change nothing'),
  ).action(async (_options: CliOptions, command: Command) => {
    // Merged with the program's own flags, which commander may have taken first.
    const options = command.optsWithGlobals<CliOptions>();
    const { setupCommand } = await import('./setup.js');
    await settle(() => setupCommand(options));
  });
}
