/**
 * `tickops ecs plan|apply`: the ECS alternative to Batch. Registers the task definition when it
 * differs, and keeps one EventBridge Scheduler schedule per shard (`--shards N`), each starting
 * one Fargate task with its own TICKOPS_SHARD, weekdays after the close in the exchange zone.
 */
import { createEcsClient } from '../services/ecs-client.js';
import type { Config } from '../services/config.js';
import { formatEcsPlan, formatScheduleStep } from '../services/ecs/describe.js';
import { chooseCluster, discoverClusters } from '../services/ecs/discover.js';
import { checkTaskDefinition, registerTaskDefinition } from '../services/ecs/register.js';
import { applySchedules, planSchedules } from '../services/ecs/schedule-plan.js';
import { renderSchedules, weekdayCron } from '../services/ecs/schedules.js';
import { renderTaskDefinition } from '../services/ecs/task-definition.js';
import { ConfigError, ExitCode } from '../services/errors.js';
import { createIamClient } from '../services/iam-client.js';
import { createSchedulerClient } from '../services/scheduler-client.js';
import { detectIdentity } from '../services/setup.js';
import { containerSpecFrom } from '../services/shard-container.js';
import { checkShardRoles, requireReadyRoles, roleArnOf } from '../services/shard-roles.js';
import { createStsClient } from '../services/sts-client.js';
import type { CliOptions } from './cli-options.js';
import { loadCommandContext } from './command-context.js';

/** Run `ecs plan` or `ecs apply`; resolves with the exit code. */
export async function ecsCommand(
  action: 'plan' | 'apply',
  options: CliOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { config } = loadCommandContext(options, env);
  const json = Boolean(options.json);
  const write = (text: string) => process.stdout.write(`${text}\n`);
  const line = (text: string) => (json ? undefined : write(text));
  const record = (fields: object) => (json ? write(JSON.stringify(fields)) : undefined);

  const count = shardCountOf(config);
  const subnets = listOf(options.subnets);
  if (subnets.length === 0) {
    throw new ConfigError('Fargate tasks need subnets to run in', {
      hint: 'pass --subnets subnet-aaa,subnet-bbb (and --security-groups sg-...)',
    });
  }
  const schedulerRole = text(options.schedulerRole);
  if (!schedulerRole) {
    throw new ConfigError('the schedules need a role to start the tasks with', {
      hint:
        'pass --scheduler-role: a role trusting scheduler.amazonaws.com, allowed ecs:RunTask ' +
        'and iam:PassRole',
    });
  }

  const ecs = createEcsClient(config);
  const scheduler = createSchedulerClient(config);
  const cluster = chooseCluster(
    await discoverClusters(ecs, config.endpoint),
    text(options.cluster),
  );
  const identity = await detectIdentity(createStsClient(config), config.endpoint);
  const roles = await checkShardRoles(
    createIamClient(config),
    identity,
    config,
    text(options.executionRole),
  );
  const definition = renderTaskDefinition({
    container: containerSpecFrom(config, {
      image: text(options.image),
      vcpu: text(options.vcpu),
      memory: text(options.memory),
      tickersInImage: text(options.tickersInImage),
    }),
    taskRoleArn: roles.jobRoleArn,
    executionRoleArn: roles.executionRoleArn,
    logGroup: text(options.logGroup),
    region: config.region,
  });
  const at = timeOf(text(options.at) ?? '17:00');
  const desiredSchedules = renderSchedules({
    count,
    partition: identity.partition,
    clusterArn: cluster.arn,
    subnets,
    securityGroups: listOf(options.securityGroups),
    assignPublicIp: options.publicIp === false ? 'DISABLED' : 'ENABLED',
    schedulerRoleArn: roleArnOf(schedulerRole, identity),
    at,
    timeZone: config.timeZone,
    retryAttempts: 3,
    maxEventAgeSeconds: 3600,
  });
  const state = await checkTaskDefinition(ecs, definition, config.endpoint);
  const schedules = await planSchedules(scheduler, desiredSchedules, config.endpoint);
  const plan = {
    roles,
    cluster,
    definition,
    state,
    schedules,
    expression: weekdayCron(at),
    timeZone: config.timeZone,
  };

  record({ event: 'plan', ...plan });
  for (const text of formatEcsPlan(plan)) line(text);
  if (action === 'plan') return roles.verdict === 'not-ready' ? ExitCode.partial : ExitCode.ok;

  requireReadyRoles(roles);
  if (!state.current || state.differences.length > 0) {
    const registered = await registerTaskDefinition(ecs, definition, config.endpoint);
    record({ event: 'registered', ...registered });
    line(`registered ${registered.arn} (revision ${registered.revision})`);
  }
  await applySchedules(
    scheduler,
    schedules,
    (step) => {
      record({ event: 'schedule', kind: step.kind, name: step.name });
      if (step.kind !== 'in-place') line(formatScheduleStep(step, 'done'));
    },
    config.endpoint,
  );

  return ExitCode.ok;
}

function shardCountOf(config: Config): number {
  const count = config.shardCount;
  if (count === undefined) {
    throw new ConfigError('how many shards to schedule is not set', {
      hint: 'pass --shards N (or set TICKOPS_SHARD_COUNT)',
    });
  }

  return count;
}

function timeOf(value: string): { hour: number; minute: number } {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value);
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  if (!match || hour > 23 || minute > 59) {
    throw new ConfigError(`--at: expected a time as HH:MM, got '${value}'`, {
      hint: 'e.g. --at 17:00 (in the exchange zone, --time-zone)',
    });
  }

  return { hour, minute };
}

function listOf(value: unknown): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
