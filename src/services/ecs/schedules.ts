/**
 * EventBridge Scheduler schedules that start a day's shards on ECS, one schedule per shard.
 *
 * A schedule cannot hand each task an index: the templated ECS target starts TaskCount copies
 * of one task definition, identical down to their environment. So each shard has a schedule of
 * its own whose target is the universal `ecs:runTask` target, with the RunTask request as its
 * Input and a container override setting TICKOPS_SHARD=K/N. The Input uses the API's field
 * names in PascalCase, as universal targets require. The task definition is named by family,
 * so RunTask starts its latest ACTIVE revision and a new image needs no schedule change.
 *
 * The schedule's retry policy covers starting the task (RunTask throttled, no Fargate capacity
 * at that moment), not how the task ends: a shard that exits 1 is not run again by the
 * scheduler. Batch retries on exit codes; on ECS, rerun the shard or wait for the next day.
 */
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { containerName } from '../shard-container.js';
import { allShards, shardFileName, shardLabel, type Shard } from '../shard.js';
import { taskFamily } from './task-definition.js';

/** Every schedule tickops owns starts with this, so stale ones can be found and removed. */
export const schedulePrefix = 'tickops-shard-';

/** What the schedules are made of. */
export interface ShardScheduleSpec {
  readonly count: number;
  readonly partition: string;
  readonly clusterArn: string;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly assignPublicIp: 'ENABLED' | 'DISABLED';
  /** The role the scheduler assumes: ecs:RunTask on the family, iam:PassRole on both roles. */
  readonly schedulerRoleArn: string;
  /** Local time of the exchange's zone, Monday to Friday. */
  readonly at: { readonly hour: number; readonly minute: number };
  readonly timeZone: string;
  readonly retryAttempts: number;
  readonly maxEventAgeSeconds: number;
}

/** A shard's schedule name, e.g. `tickops-shard-3-of-8`. */
export function scheduleName(shard: Shard): string {
  return `${schedulePrefix}${shardFileName(shard)}`;
}

/** The cron expression: weekdays at the given local time (the zone is given separately). */
export function weekdayCron(at: ShardScheduleSpec['at']): string {
  return `cron(${at.minute} ${at.hour} ? * MON-FRI *)`;
}

/** The CreateSchedule requests, one per shard. */
export function renderSchedules(spec: ShardScheduleSpec): CreateScheduleCommandInput[] {
  return allShards(spec.count).map((shard) => ({
    Name: scheduleName(shard),
    GroupName: 'default',
    Description: `tickops shard ${shardLabel(shard)}: --run-today for today's trading day`,
    ScheduleExpression: weekdayCron(spec.at),
    ScheduleExpressionTimezone: spec.timeZone,
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: 'ENABLED',
    Target: {
      Arn: `arn:${spec.partition}:scheduler:::aws-sdk:ecs:runTask`,
      RoleArn: spec.schedulerRoleArn,
      Input: JSON.stringify(runTaskInput(spec, shard)),
      RetryPolicy: {
        MaximumRetryAttempts: spec.retryAttempts,
        MaximumEventAgeInSeconds: spec.maxEventAgeSeconds,
      },
    },
  }));
}

/** The RunTask request a shard's schedule sends, in the universal target's PascalCase. */
export function runTaskInput(spec: ShardScheduleSpec, shard: Shard) {
  return {
    Cluster: spec.clusterArn,
    TaskDefinition: taskFamily,
    LaunchType: 'FARGATE',
    Count: 1,
    StartedBy: scheduleName(shard).slice(0, 36),
    NetworkConfiguration: {
      AwsvpcConfiguration: {
        Subnets: [...spec.subnets],
        ...(spec.securityGroups.length > 0 ? { SecurityGroups: [...spec.securityGroups] } : {}),
        AssignPublicIp: spec.assignPublicIp,
      },
    },
    Overrides: {
      ContainerOverrides: [
        {
          Name: containerName,
          Environment: [
            { Name: 'TICKOPS_SHARD', Value: shardLabel(shard) },
            { Name: 'TICKOPS_SHARD_COUNT', Value: String(shard.count) },
          ],
        },
      ],
    },
  };
}
