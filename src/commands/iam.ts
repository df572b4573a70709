/**
 * `tickops iam check` and `tickops iam apply`: read the config, find the account, check the
 * IAM pieces the daily job needs and print a report; apply shows the plan, asks (or takes
 * --yes), and puts the pieces in place. Exit codes: 0 in place (or applied), 1 drift or
 * missing pieces, 2 usage, 3 access denied or pieces that could not be checked.
 */
import { createInterface } from 'node:readline/promises';
import { createIamClient } from '../services/iam-client.js';
import { createStsClient } from '../services/sts-client.js';
import { ConfigError, ExitCode } from '../services/errors.js';
import { applyIam, type ApplyEvent } from '../services/iam/apply.js';
import { checkIam, type IamCheck } from '../services/iam/check.js';
import { desiredIam } from '../services/iam/desired.js';
import {
  explainFlavours,
  formatApplyEvent,
  formatCheck,
  formatPlan,
} from '../services/iam/describe.js';
import { planIam, type IamPlan } from '../services/iam/plan.js';
import type { PolicyFlavour } from '../services/iam/policy-documents.js';
import { detectIdentity } from '../services/setup.js';
import type { CliOptions } from './cli-options.js';
import { loadCommandContext } from './command-context.js';
import { reportFailure } from './report-failure.js';

/** Where a command writes and reads; the process's streams unless a test gives others. */
export interface IamCommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: { write(text: string): unknown };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

const processIo: IamCommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
};

const verdictCodes = { 'in-place': ExitCode.ok, 'needs-changes': ExitCode.partial } as const;

async function runCheck(options: CliOptions, env: NodeJS.ProcessEnv) {
  const { config, logger } = loadCommandContext(options, env);
  const identity = await detectIdentity(createStsClient(config), config.endpoint);
  const desired = desiredIam({
    accountId: identity.accountId,
    partition: identity.partition,
    bucket: config.bucket,
    layout: config.layout,
    flavour: (options.policy ?? 'least-privilege') as PolicyFlavour,
    ecs: options.ecs === true,
  });
  const iam = createIamClient(config);
  const check = await checkIam(iam, desired, { logger });

  return { config, logger, iam, check, verbose: config.logLevel === 'debug' };
}

function checkExitCode(check: IamCheck): number {
  return check.verdict === 'cannot-check' ? ExitCode.denied : verdictCodes[check.verdict];
}

/** The check as JSON: states, details, differences and the access evaluation. */
function checkJson(check: IamCheck) {
  const { desired } = check;

  return {
    verdict: check.verdict,
    accountId: desired.target.accountId,
    bucket: desired.target.bucket,
    policy: desired.target.flavour,
    pieces: check.pieces,
    access: check.access,
    desiredPolicy: desired.policyDocument,
    desiredTrust: desired.trustDocument,
  };
}

/** `tickops iam check`; resolves with the exit code. */
export async function iamCheckCommand(
  options: CliOptions,
  env: NodeJS.ProcessEnv = process.env,
  io: IamCommandIo = processIo,
): Promise<number> {
  let verbose = false;
  try {
    const { check, ...rest } = await runCheck(options, env);
    verbose = rest.verbose;
    const lines = options.json ? [JSON.stringify(checkJson(check))] : formatCheck(check);
    if (!options.json && check.pieces.policy.state === 'drifted') lines.push(...explainFlavours());
    io.stdout.write(`${lines.join('\n')}\n`);

    return checkExitCode(check);
  } catch (error) {
    return reportFailure(error, io.stderr, verbose);
  }
}

/** `tickops iam apply`; resolves with the exit code. */
export async function iamApplyCommand(
  options: CliOptions,
  env: NodeJS.ProcessEnv = process.env,
  io: IamCommandIo = processIo,
): Promise<number> {
  let verbose = false;
  try {
    const { iam, check, logger, ...rest } = await runCheck(options, env);
    verbose = rest.verbose;
    const plan = planIam(check);
    const json = options.json === true;
    const line = (text: string) => io.stdout.write(`${text}\n`);

    if (json) line(JSON.stringify({ event: 'plan', steps: plan.steps, manual: plan.manual }));
    else line(formatPlan(plan).join('\n'));
    if (plan.steps.length === 0) return plan.manual.length > 0 ? ExitCode.partial : ExitCode.ok;
    if (options.dryRun) {
      if (!json) line('dry run: nothing was changed.');
      return ExitCode.ok;
    }
    if (options.yes !== true && !(await confirm(plan, io))) {
      line('cancelled: nothing was changed.');
      return ExitCode.ok;
    }

    const print = (event: ApplyEvent) => {
      const text = json
        ? JSON.stringify({ event: event.type, ...without(event) })
        : formatApplyEvent(event);
      if (text !== undefined) line(text);
    };
    await applyIam(iam, plan, { onEvent: print, logger });
    for (const note of plan.manual) line(`still to do by hand: ${note}`);

    return plan.manual.length > 0 ? ExitCode.partial : ExitCode.ok;
  } catch (error) {
    return reportFailure(error, io.stderr, verbose);
  }
}

function without(event: ApplyEvent): Record<string, unknown> {
  const { type: _type, ...rest } = event;

  return rest;
}

/** Ask on the terminal; without one there is nobody to ask, so refuse. */
async function confirm(plan: IamPlan, io: IamCommandIo): Promise<boolean> {
  if (!io.stdin.isTTY) {
    throw new ConfigError('tickops iam apply will not change IAM unasked: no terminal to ask on', {
      hint: 'pass --yes to apply without asking, or --dry-run to only see the plan',
    });
  }

  const account = plan.desired.target.accountId;
  const prompt = createInterface({ input: io.stdin, output: io.stdout });
  const cancel = new AbortController();
  prompt.on('SIGINT', () => cancel.abort());
  try {
    const count = plan.steps.length;
    const answer = await prompt.question(
      `Apply ${count} change${count === 1 ? '' : 's'} to IAM in account ${account}? [y/N] `,
      { signal: cancel.signal },
    );
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    prompt.close();
  }
}
