/**
 * `tickops batch ...`: put the job definition in place (plan, apply), submit a day's array
 * job, and follow its shards (status). Existing queues are discovered and one is chosen only
 * when the choice is clear. Text, or JSON with --json, on stdout; errors go to the one handler.
 */
import { createS3Client } from '../services/aws-clients.js';
import { createBatchClient } from '../services/batch-client.js';
import { formatArrayJob, formatBatchPlan } from '../services/batch/describe.js';
import { chooseQueue, discoverQueues } from '../services/batch/discover.js';
import { jobDefinitionName, renderJobDefinition } from '../services/batch/job-definition.js';
import {
  checkJobDefinition,
  latestActive,
  registerJobDefinition,
} from '../services/batch/register.js';
import { describeArrayJob, findJobByName } from '../services/batch/status.js';
import {
  dateOfJobName,
  dayJobName,
  renderSubmission,
  submitDay,
} from '../services/batch/submit.js';
import type { Config } from '../services/config.js';
import { ConfigError, ExitCode, TickopsError } from '../services/errors.js';
import { createIamClient } from '../services/iam-client.js';
import { listObjects } from '../services/s3.js';
import { detectIdentity } from '../services/setup.js';
import { containerSpecFrom } from '../services/shard-container.js';
import { partsPrefix } from '../services/shard-part.js';
import { checkShardRoles, requireReadyRoles } from '../services/shard-roles.js';
import { createStsClient } from '../services/sts-client.js';
import { isWeekend, tradingDateAt } from '../services/trading-day.js';
import { parseDateOption, type CliOptions } from './cli-options.js';
import { loadCommandContext } from './command-context.js';

/** The subcommands. */
export type BatchAction = 'plan' | 'apply' | 'submit' | 'status';

interface Output {
  readonly json: boolean;
  line(text: string): void;
  record(fields: object): void;
}

/** Run one `batch` subcommand; resolves with the exit code. */
export async function batchCommand(
  action: BatchAction,
  options: CliOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { config } = loadCommandContext(options, env);
  const json = Boolean(options.json);
  const write = (text: string) => process.stdout.write(`${text}\n`);
  const output: Output = {
    json,
    line: (text) => (json ? undefined : write(text)),
    record: (fields) => (json ? write(JSON.stringify(fields)) : undefined),
  };

  if (action === 'submit') return submit(config, options, output);
  if (action === 'status') return status(config, options, output);

  return planOrApply(action, config, options, output);
}

async function planOrApply(
  action: 'plan' | 'apply',
  config: Config,
  options: CliOptions,
  output: Output,
): Promise<number> {
  const batch = createBatchClient(config);
  const queue = chooseQueue(await discoverQueues(batch, config.endpoint), text(options.queue));
  const identity = await detectIdentity(createStsClient(config), config.endpoint);
  const roles = await checkShardRoles(
    createIamClient(config),
    identity,
    config,
    text(options.executionRole),
  );
  const definition = renderJobDefinition({
    container: containerSpecFrom(config, {
      image: text(options.image),
      vcpu: text(options.vcpu),
      memory: text(options.memory),
      tickersInImage: text(options.tickersInImage),
    }),
    jobRoleArn: roles.jobRoleArn,
    executionRoleArn: roles.executionRoleArn,
    attempts: wholeNumber(options.attempts, '--attempts', 2, [1, 10]),
    timeoutSeconds: wholeNumber(options.timeout, '--timeout', 3600, [60, 86_400]),
    assignPublicIp: options.publicIp === false ? 'DISABLED' : 'ENABLED',
  });
  const state = await checkJobDefinition(batch, definition, config.endpoint);
  const plan = { roles, queue, definition, state };

  output.record({ event: 'plan', ...plan });
  for (const line of formatBatchPlan(plan)) output.line(line);
  if (action === 'plan') return roles.verdict === 'not-ready' ? ExitCode.partial : ExitCode.ok;

  requireReadyRoles(roles);
  if (state.current && state.differences.length === 0) {
    output.line('nothing to change.');
    return ExitCode.ok;
  }
  const registered = await registerJobDefinition(batch, definition, config.endpoint);
  output.record({ event: 'registered', ...registered });
  output.line(`registered ${registered.arn} (revision ${registered.revision})`);

  return ExitCode.ok;
}

async function submit(config: Config, options: CliOptions, output: Output): Promise<number> {
  const date = dateOf(options, config);
  if (isWeekend(date)) {
    throw new ConfigError(`${date} is a weekend day: the exchange is closed`, {
      hint: 'give a trading day with --date YYYY-MM-DD',
    });
  }
  const size = wholeNumber(options.size, '--size', Number.NaN, [2, 1000]);
  const batch = createBatchClient(config);
  const queue = chooseQueue(await discoverQueues(batch, config.endpoint), text(options.queue));
  const definition = await latestActive(batch, jobDefinitionName, config.endpoint);
  if (!definition?.jobDefinitionArn) {
    throw new TickopsError(`no ACTIVE job definition ${jobDefinitionName} to submit`, {
      hint: 'register it first: tickops batch apply --image ... --execution-role ...',
    });
  }

  const request = renderSubmission(date, size, queue.arn, definition.jobDefinitionArn);
  const job = await submitDay(batch, request, config.endpoint);
  output.record({ event: 'submitted', ...job, date, size, queue: queue.arn });
  output.line(
    `submitted ${job.jobName} (${job.jobId}) to ${queue.name}: ${size} shards of ${date}`,
  );
  output.line(`follow it:  tickops batch status --date ${date}`);
  output.line(
    `the last shard merges the day; by hand: tickops --run-today --merge --date ${date}`,
  );

  return ExitCode.ok;
}

async function status(config: Config, options: CliOptions, output: Output): Promise<number> {
  const batch = createBatchClient(config);
  const date = dateOf(options, config);
  let jobId = text(options.jobId);
  if (jobId === undefined) {
    const queue = chooseQueue(await discoverQueues(batch, config.endpoint), text(options.queue));
    jobId = await findJobByName(batch, queue.arn, dayJobName(date), config.endpoint);
    if (jobId === undefined) {
      throw new TickopsError(`no job ${dayJobName(date)} in job queue ${queue.name}`, {
        hint: `submit it: tickops batch submit --date ${date} --size N`,
      });
    }
  }

  const job = await describeArrayJob(batch, jobId, config.endpoint);
  const parts = await listParts(config, dateOfJobName(job.jobName) ?? date, job.size);
  output.record({ event: 'status', ...job, parts });
  for (const line of formatArrayJob(job)) output.line(line);
  if (Array.isArray(parts)) {
    const ready = parts.length === job.size ? '; ready to merge' : '';
    output.line(`manifest parts in s3://${config.bucket}: ${parts.length} of ${job.size}${ready}`);
  } else {
    output.line(`manifest parts: cannot list them: ${parts.error}`);
  }

  return job.children.some((child) => child.status === 'FAILED') ? ExitCode.partial : ExitCode.ok;
}

/** Which shards' parts are in the bucket (ListBucket only), or why that is unknown. */
async function listParts(
  config: Config,
  date: string,
  size: number,
): Promise<number[] | { error: string }> {
  const target = { bucket: config.bucket, region: config.region, endpoint: config.endpoint };
  const prefix = partsPrefix(config.layout.manifest, date);
  const pattern = new RegExp(`^(\\d+)-of-${size}\\.json$`);
  try {
    const listed = await listObjects(createS3Client(config), target, prefix);
    return [...listed.keys()]
      .map((key) => pattern.exec(key.slice(prefix.length))?.[1])
      .filter((index): index is string => index !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function dateOf(options: CliOptions, config: Config): string {
  const given = text(options.date);
  const now = config.now ? Date.parse(config.now) : Date.now();
  if (given === undefined) return tradingDateAt(now, config.timeZone);

  return parseDateOption(given);
}

function wholeNumber(
  value: unknown,
  flag: string,
  fallback: number,
  [min, max]: [number, number],
): number {
  const number = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    const shown = value === undefined ? 'nothing' : `'${String(value)}'`;
    throw new ConfigError(`${flag}: expected a whole number from ${min} to ${max}, got ${shown}`);
  }

  return number;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
