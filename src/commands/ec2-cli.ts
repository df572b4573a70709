/**
 * `tickops ec2 status|launch|stop|start|terminate`: the flags only. The work is in ./ec2.js,
 * loaded when one of these runs, so declaring them costs `--run-today` nothing at start-up.
 * Besides commander, only the two tiny modules main.ts already loads are imported here.
 */
import type { Command } from 'commander';
import { addConfigOptions, type CliOptions } from './cli-options.js';
import { settle } from './settle.js';

type Ec2Action = 'status' | 'launch' | 'stop' | 'start' | 'terminate';

/** Add the `ec2` command and its subcommands to the program. */
export function defineEc2Command(program: Command): void {
  const ec2 = program
    .command('ec2')
    .description('the EC2 machine that runs the daily job (found by its tickops:role tag)');

  const subcommand = (action: Ec2Action, description: string) =>
    addConfigOptions(ec2.command(action).description(description))
      .option('--json', 'print JSON lines instead of text')
      .action(async (_options: CliOptions, command: Command) => {
        // Merged with the program's own flags, which commander may have taken first.
        const options = command.optsWithGlobals<CliOptions>();
        const { ec2Command } = await import('./ec2.js');
        await settle(() => ec2Command(action, options));
      });

  subcommand('status', 'show the machine, its console, the last upload and the next runs').option(
    '--console-lines <n>',
    'how many console lines to show (default 20)',
  );

  subcommand('launch', 'show the launch plan, then launch the machine once confirmed')
    .option('--yes', 'launch without asking (needed when there is no terminal)')
    .option('--image <reference>', 'container image the machine runs, e.g. registry/tickops:1.0')
    .option('--instance-type <type>', 'EC2 instance type (default t3.micro)')
    .option(
      '--instance-profile <name>',
      'instance profile holding the role (default DataProcessor)',
    )
    .option('--ami <id>', 'machine image (default: current Amazon Linux 2023 from SSM)')
    .option('--volume-size <GiB>', 'root volume size (default 16)')
    .option('--subnet <id>', 'subnet to launch in (needed where there is no default VPC)')
    .option('--security-group <ids>', 'your own security group ids, comma-separated')
    .option('--ssh-cidr <range>', 'allow SSH from this range only, e.g. 203.0.113.7/32')
    .option('--key-name <name>', 'EC2 key pair for SSH')
    .option('--allow-second', 'launch even though a machine with the tag exists')
    .option('--dry-run', 'show the plan; create nothing')
    .option('--wait', 'wait until the machine is running');

  for (const [action, description] of [
    ['stop', 'stop the machine (its disk and schedule stay)'],
    ['start', 'start the stopped machine'],
    ['terminate', 'terminate the machine and delete its root volume'],
  ] as const) {
    subcommand(action, description)
      .option('--yes', 'do it without asking (needed when there is no terminal)')
      .option('--instance-id <id>', 'which machine, when several carry the tag')
      .option('--wait', 'wait until the change is complete');
  }
}
