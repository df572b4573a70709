/**
 * `tickops setup`: the setup wizard in the terminal, or with --yes the same steps without
 * asking, for scripts. Like the console, the wizard needs a terminal; without one (and without
 * --yes) it says what to use instead and exits 2. Ink and React are loaded only for the wizard.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AwsResourceError, ExitCode } from '../services/errors.js';
import { formatApplyEvent, formatPlan } from '../services/iam/describe.js';
import type { PolicyFlavour } from '../services/iam/policy-documents.js';
import { silentLogger } from '../services/logger.js';
import type { SetupEvent } from '../services/setup.js';
import type { SetupService } from '../screens/console-services.js';
import { wantsNoColor, type CliOptions } from './cli-options.js';
import { loadCommandContext } from './command-context.js';
import { createIamService } from './console-wiring.js';

/** Run the wizard (or, with --yes, the unattended setup); resolves with the exit code. */
export async function setupCommand(options: CliOptions, env = process.env): Promise<number> {
  const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (options.yes !== true && !terminal) {
    process.stderr.write(
      'tickops: the setup wizard needs a terminal; for scripts use ' +
        'tickops setup --yes --bucket NAME [--policy least-privilege|original]\n',
    );
    return ExitCode.usage;
  }

  const configPath = resolve(
    String(options.config ?? (env.TICKOPS_CONFIG || 'tickops.config.json')),
  );
  // Elsewhere a named config file must exist; here it is where the choices will be written.
  const fresh = !existsSync(configPath);
  const { config, logger } = loadCommandContext(
    fresh ? { ...options, config: undefined } : options,
    fresh ? { ...env, TICKOPS_CONFIG: undefined } : env,
  );

  if (options.yes === true) {
    const setup = createIamService(config, configPath, logger).setup;
    return runUnattended(setup, options, (line) => process.stdout.write(`${line}\n`));
  }

  // Logs would garble the frame Ink draws, and the wizard shows every failure itself.
  const setup = createIamService(config, configPath, silentLogger).setup;
  const [{ render }, { createElement }, { StandaloneSetup }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../screens/SetupWizard.js'),
  ]);
  const noColor = wantsNoColor(options, env);
  const app = render(createElement(StandaloneSetup, { setup, noColor }));
  await app.waitUntilExit();

  return ExitCode.ok;
}

/** The wizard's steps in order, printed; a bucket refused to us stops before any change. */
export async function runUnattended(
  setup: SetupService,
  options: CliOptions,
  line: (text: string) => void,
): Promise<number> {
  const signal = new AbortController().signal;
  const { bucket, region, layout } = setup.defaults;
  const identity = await setup.identity(signal);
  line(`account ${identity.accountId} (${identity.arn})`);

  const found = await setup.inspectBucket(bucket, region, identity.accountId, signal);
  const suggestion = found.suggestion ? `, e.g. --bucket ${found.suggestion}` : '';
  if (found.probe === 'forbidden') {
    throw new AwsResourceError(`bucket ${bucket} is refused (403): another account owns it`, {
      hint: `choose a name of your own${suggestion}`,
    });
  }
  if (found.probablyTaken && found.probe !== 'ours') {
    line(`warning: ${bucket} is a short global name, probably taken elsewhere${suggestion}`);
  }

  const flavour = (options.policy ?? 'least-privilege') as PolicyFlavour;
  const choices = { bucket, region, layout, flavour, ecs: options.ecs === true };
  const plan = await setup.plan(choices, signal);
  for (const text of formatPlan(plan.iam)) line(text);
  if (options.dryRun === true) {
    line('dry run: nothing was changed.');
    return ExitCode.ok;
  }

  const print = (event: SetupEvent) => {
    const text =
      event.type === 'bucket-ready'
        ? `${event.state.padEnd(9)} bucket s3://${event.bucket}`
        : formatApplyEvent(event);
    if (text !== undefined) line(text);
  };
  const result = await setup.apply(plan, print, signal);
  line(`${result.config.padEnd(9)} config ${result.configPath}`);
  for (const note of plan.iam.manual) line(`still to do by hand: ${note}`);

  return plan.iam.manual.length > 0 ? ExitCode.partial : ExitCode.ok;
}
