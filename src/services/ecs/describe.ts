/** ECS plans and applied steps in the operator's words. */
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { ShardRoles } from '../shard-roles.js';
import type { ClusterChoice } from './discover.js';
import type { TaskDefinitionState } from './register.js';
import type { ScheduleStep } from './schedule-plan.js';

/** What `ecs plan` found and would do. */
export interface EcsPlan {
  readonly roles: ShardRoles;
  readonly cluster: ClusterChoice;
  readonly definition: RegisterTaskDefinitionCommandInput;
  readonly state: TaskDefinitionState;
  readonly schedules: readonly ScheduleStep[];
  readonly expression: string;
  readonly timeZone: string;
}

/** The plan as lines. */
export function formatEcsPlan(plan: EcsPlan): string[] {
  const { roles, cluster, definition, state } = plan;
  const container = definition.containerDefinitions?.[0];
  const lines = [
    `task role   ${roles.jobRoleArn}: ${roles.role.state}; ${roles.trust.detail}`,
    `exec role   ${roles.executionRoleArn}`,
    `cluster     ${cluster.name}`,
    `image       ${container?.image ?? ''}`,
    `size        ${Number(definition.cpu) / 1024} vCPU, ${definition.memory} MiB`,
    `schedule    ${plan.expression} in ${plan.timeZone}, one schedule per shard`,
  ];
  if (roles.verdict === 'not-ready') {
    lines.push('blocked: the task role is not ready: run tickops iam apply --ecs first');
  }

  if (!state.current) lines.push(`task definition ${state.family}: none registered yet`);
  else if (state.differences.length === 0) {
    lines.push(`task definition ${state.family}: revision ${state.current.revision} is in place`);
  } else {
    lines.push(
      `task definition ${state.family}: revision ${state.current.revision} differs in ` +
        `${state.differences.join(', ')}`,
    );
  }
  for (const step of plan.schedules) lines.push(formatScheduleStep(step, 'plan'));

  return lines;
}

/** One schedule step, as planned or as done. */
export function formatScheduleStep(step: ScheduleStep, when: 'plan' | 'done'): string {
  const verbs = {
    plan: { create: 'create', update: 'update', delete: 'delete', 'in-place': 'in place' },
    done: { create: 'created', update: 'updated', delete: 'deleted', 'in-place': 'in place' },
  } as const;
  const why =
    step.kind === 'update'
      ? ` (${step.differences.join(', ')})`
      : step.kind === 'delete'
        ? ' (no longer a shard)'
        : '';

  return `schedule    ${step.name}: ${verbs[when][step.kind]}${why}`;
}
