/**
 * What it takes to bring the shard schedules in line: create the missing, update the ones that
 * differ, and delete those left from an earlier shard count (a `tickops-shard-5-of-8` would
 * otherwise keep starting a shard of a split that no longer exists). Schedules are compared on
 * the fields we set, the Input as JSON rather than as text.
 */
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type GetScheduleCommandOutput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { toTickopsError } from '../aws-errors.js';
import { differingFields } from '../batch/definition-diff.js';
import { schedulePrefix } from './schedules.js';

/** One change to the schedules, or none. */
export type ScheduleStep =
  | { readonly kind: 'create'; readonly name: string; readonly request: CreateScheduleCommandInput }
  | {
      readonly kind: 'update';
      readonly name: string;
      readonly request: CreateScheduleCommandInput;
      readonly differences: readonly string[];
    }
  | { readonly kind: 'delete'; readonly name: string }
  | { readonly kind: 'in-place'; readonly name: string };

/** Compare the desired schedules with those the default group holds. */
export async function planSchedules(
  scheduler: SchedulerClient,
  desired: readonly CreateScheduleCommandInput[],
  endpoint?: string,
): Promise<ScheduleStep[]> {
  const existing = await call(endpoint, 'scheduler:ListSchedules', () =>
    listOurSchedules(scheduler),
  );
  const steps: ScheduleStep[] = [];

  for (const request of desired) {
    const name = request.Name ?? '';
    if (!existing.includes(name)) {
      steps.push({ kind: 'create', name, request });
      continue;
    }
    const actual = await call(endpoint, 'scheduler:GetSchedule', () =>
      scheduler.send(new GetScheduleCommand({ Name: name, GroupName: request.GroupName })),
    );
    const differences = differingFields(comparable(request), comparable(actual));
    steps.push(
      differences.length === 0
        ? { kind: 'in-place', name }
        : { kind: 'update', name, request, differences },
    );
  }

  const wanted = new Set(desired.map((request) => request.Name));
  for (const name of existing.filter((each) => !wanted.has(each))) {
    steps.push({ kind: 'delete', name });
  }

  return steps;
}

/** Carry out the steps in order; `onStep` hears of each as it is done. */
export async function applySchedules(
  scheduler: SchedulerClient,
  steps: readonly ScheduleStep[],
  onStep: (step: ScheduleStep) => void,
  endpoint?: string,
): Promise<void> {
  for (const step of steps) {
    if (step.kind === 'create') {
      await call(endpoint, 'scheduler:CreateSchedule', () =>
        scheduler.send(new CreateScheduleCommand(step.request)),
      );
    } else if (step.kind === 'update') {
      await call(endpoint, 'scheduler:UpdateSchedule', () =>
        scheduler.send(new UpdateScheduleCommand(step.request)),
      );
    } else if (step.kind === 'delete') {
      await call(endpoint, 'scheduler:DeleteSchedule', () =>
        scheduler.send(new DeleteScheduleCommand({ Name: step.name, GroupName: 'default' })),
      );
    }
    onStep(step);
  }
}

async function listOurSchedules(scheduler: SchedulerClient): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await scheduler.send(
      new ListSchedulesCommand({ GroupName: 'default', NamePrefix: schedulePrefix, NextToken }),
    );
    names.push(...(page.Schedules ?? []).map((schedule) => schedule.Name ?? ''));
    NextToken = page.NextToken;
  } while (NextToken);

  return names.filter((name) => name.startsWith(schedulePrefix)).sort();
}

function comparable(schedule: CreateScheduleCommandInput | GetScheduleCommandOutput) {
  const target = schedule.Target;

  return {
    ScheduleExpression: schedule.ScheduleExpression,
    ScheduleExpressionTimezone: schedule.ScheduleExpressionTimezone,
    State: schedule.State,
    FlexibleTimeWindow: { Mode: schedule.FlexibleTimeWindow?.Mode },
    Target: {
      Arn: target?.Arn,
      RoleArn: target?.RoleArn,
      RetryPolicy: target?.RetryPolicy,
      Input: parseInput(target?.Input),
    },
  };
}

function parseInput(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return text;
  }
}

async function call<T>(endpoint: string | undefined, action: string, send: () => Promise<T>) {
  try {
    return await send();
  } catch (error) {
    throw toTickopsError(error, { action, resource: 'schedules in group default', endpoint });
  }
}
