/**
 * `tickops ec2 ...`: the machine's status, launch, stop, start and terminate. Changes are
 * confirmed on the terminal with a question that names the instance; without a terminal
 * (a script, a pipe) they are refused unless --yes is given. Text or JSON lines on stdout.
 */
import { createInterface } from 'node:readline/promises';
import { createS3Client } from '../services/aws-clients.js';
import { createEc2Client } from '../services/ec2-client.js';
import { createSsmClient } from '../services/ssm-client.js';
import type { Config } from '../services/config.js';
import { ConfigError, ExitCode } from '../services/errors.js';
import type { Ec2Event } from '../services/ec2/events.js';
import type { Logger } from '../services/logger.js';
import { findMachine } from '../services/ec2/find-machine.js';
import { launchMachine } from '../services/ec2/launch.js';
import { launchDefaults, type LaunchRequest } from '../services/ec2/launch-plan.js';
import {
  changeMachineState,
  targetState,
  waitForState,
  type LifecycleAction,
} from '../services/ec2/lifecycle.js';
import { planLaunch } from '../services/ec2/plan-launch.js';
import { describeEc2Status } from '../services/ec2/status.js';
import { eventLine, machineLabel, planLines, statusLines } from '../services/ec2/text.js';
import { dailyScheduleFor } from '../services/schedule/daily-schedule.js';
import { machineSpecFrom } from '../services/schedule/machine-spec.js';
import { renderUserData } from '../services/schedule/user-data.js';
import { loadTickerList } from '../services/tickers.js';
import type { CliOptions } from './cli-options.js';
import { loadCommandContext } from './command-context.js';

/** The subcommands. */
export type Ec2Action = 'status' | 'launch' | LifecycleAction;

interface Output {
  readonly json: boolean;
  readonly logger: Logger;
  line(text: string): void;
  record(event: string, fields: object): void;
  onEvent(event: Ec2Event): void;
}

function outputFor(options: CliOptions, logger: Logger): Output {
  const json = Boolean(options.json);
  const write = (text: string) => process.stdout.write(`${text}\n`);
  const record = (event: string, fields: object) => write(JSON.stringify({ event, ...fields }));

  return {
    json,
    logger,
    line: (text) => (json ? undefined : write(text)),
    record: (event, fields) => (json ? record(event, fields) : undefined),
    onEvent: (event) => {
      const { type, ...fields } = event;
      if (json) record(type, fields);
      else write(eventLine(event));
    },
  };
}

/** Run one `ec2` subcommand; resolves with the exit code (errors go to the top handler). */
export async function ec2Command(action: Ec2Action, options: CliOptions): Promise<number> {
  const { config, logger } = loadCommandContext(options);
  const output = outputFor(options, logger);

  if (action === 'status') return showStatus(config, options, output);
  if (action === 'launch') return launch(config, options, output);

  return changeState(config, action, options, output);
}

async function showStatus(config: Config, options: CliOptions, output: Output): Promise<number> {
  const status = await describeEc2Status(
    { ec2: createEc2Client(config), s3: createS3Client(config) },
    {
      region: config.region,
      endpoint: config.endpoint,
      bucket: { bucket: config.bucket, region: config.region, endpoint: config.endpoint },
      layout: config.layout,
      schedule: dailyScheduleFor(config.timeZone),
      now: config.now ? Date.parse(config.now) : Date.now(),
      consoleLines: wholeNumber(options.consoleLines, '--console-lines') ?? 20,
      logger: output.logger,
    },
  );

  output.record('status', status);
  statusLines(status).forEach(output.line);

  return ExitCode.ok;
}

async function launch(config: Config, options: CliOptions, output: Output): Promise<number> {
  const image = text(options.image);
  const tickerList = config.tickersFile ? await loadTickerList(config.tickersFile) : undefined;
  const spec = machineSpecFrom(config, { image, tickerList });
  const ec2 = createEc2Client(config);

  const plan = await planLaunch(
    {
      ec2,
      ssm: createSsmClient(config),
      region: config.region,
      endpoint: config.endpoint,
      containerImage: spec.image,
      userData: renderUserData(spec),
      onEvent: output.onEvent,
      logger: output.logger,
    },
    launchRequestFrom(options),
  );
  output.record('plan', { ...plan, userData: undefined });
  planLines(plan, spec.schedule).forEach(output.line);
  if (options.dryRun) return ExitCode.ok;

  const { instanceType, region } = plan;
  const question = `Launch a ${instanceType} tagged tickops:role=downloader in ${region}?`;
  if (!(await confirm(question, options, `launch a machine in ${plan.region}`))) {
    return cancelled(output);
  }

  const context = { region: config.region, endpoint: config.endpoint, onEvent: output.onEvent };
  let machine = await launchMachine(ec2, plan, { ...context, logger: output.logger });
  if (options.wait) {
    await waitForState(ec2, machine.instanceId, 'running', context);
    machine = await findMachine(ec2, { ...context, instanceId: machine.instanceId });
  }
  output.record('result', { machine });
  output.line(`machine ${machineLabel(machine)}; the timer runs the job from its first boot`);

  return ExitCode.ok;
}

async function changeState(
  config: Config,
  action: LifecycleAction,
  options: CliOptions,
  output: Output,
): Promise<number> {
  const ec2 = createEc2Client(config);
  const context = { region: config.region, endpoint: config.endpoint, onEvent: output.onEvent };
  const machine = await findMachine(ec2, { ...context, instanceId: text(options.instanceId) });

  const label = machineLabel(machine);
  const question =
    action === 'terminate'
      ? `Terminate ${label}? Its root volume is deleted. Type ${machine.instanceId} to confirm:`
      : `${action === 'stop' ? 'Stop' : 'Start'} ${label}?`;
  const expected = action === 'terminate' ? machine.instanceId : undefined;
  if (!(await confirm(question, options, `${action} ${machine.instanceId}`, expected))) {
    return cancelled(output);
  }

  const result = await changeMachineState(ec2, machine, action, context);
  if (!result.changed) output.line(`${machine.instanceId} is already ${result.to ?? 'there'}`);
  if (options.wait && (result.changed || result.to !== targetState[action])) {
    await waitForState(ec2, machine.instanceId, targetState[action], context);
  }
  output.record('result', result);

  return ExitCode.ok;
}

/** Ask on the terminal; refuse without one unless --yes. */
async function confirm(
  question: string,
  options: CliOptions,
  what: string,
  expected?: string,
): Promise<boolean> {
  if (options.yes) return true;
  if (!process.stdin.isTTY) {
    throw new ConfigError(
      `refusing to ${what} without confirmation: there is no terminal to ask on`,
      {
        hint: 'run it in a terminal, or pass --yes to confirm in advance',
      },
    );
  }

  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await prompt.question(`${question} ${expected ? '' : '[y/N] '}`)).trim();
    return expected ? answer === expected : /^y(es)?$/i.test(answer);
  } finally {
    prompt.close();
  }
}

function cancelled(output: Output): number {
  output.record('cancelled', {});
  output.line('cancelled; nothing was changed');

  return ExitCode.partial;
}

function launchRequestFrom(options: CliOptions): LaunchRequest {
  const groups = text(options.securityGroup)
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);

  return {
    instanceType: text(options.instanceType) ?? launchDefaults.instanceType,
    instanceProfile: text(options.instanceProfile) ?? launchDefaults.instanceProfile,
    volumeGiB: wholeNumber(options.volumeSize, '--volume-size') ?? launchDefaults.volumeGiB,
    keyName: text(options.keyName),
    sshCidr: text(options.sshCidr),
    subnetId: text(options.subnet),
    securityGroupIds: groups,
    imageId: text(options.ami),
    allowSecond: Boolean(options.allowSecond),
  };
}

function text(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function wholeNumber(value: string | boolean | undefined, flag: string): number | undefined {
  const given = text(value);
  if (given === undefined) return undefined;
  if (!/^\d+$/.test(given))
    throw new ConfigError(`${flag}: expected a whole number, got '${given}'`);

  return Number(given);
}
