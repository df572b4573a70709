/** Batch plans and statuses in the operator's words, one fact a line. */
import type { RegisterJobDefinitionCommandInput } from '@aws-sdk/client-batch';
import type { ShardRoles } from '../shard-roles.js';
import type { QueueCandidate } from './discover.js';
import type { JobDefinitionState } from './register.js';
import type { ArrayJobStatus } from './status.js';

/** What `batch plan` found and would do. */
export interface BatchPlan {
  readonly roles: ShardRoles;
  readonly queue: QueueCandidate;
  readonly definition: RegisterJobDefinitionCommandInput;
  readonly state: JobDefinitionState;
}

/** The plan as lines. */
export function formatBatchPlan(plan: BatchPlan): string[] {
  const { roles, queue, definition, state } = plan;
  const container = definition.containerProperties;
  const size = (type: string) =>
    container?.resourceRequirements?.find((item) => item.type === type)?.value;
  const retry = definition.retryStrategy;
  const lines = [
    `job role    ${roles.jobRoleArn}: ${roles.role.state}; ${roles.trust.detail}`,
    `exec role   ${roles.executionRoleArn}`,
    `queue       ${queue.name} on ${queue.computeEnvironments.join(', ')}`,
    `image       ${container?.image ?? ''}`,
    `size        ${size('VCPU')} vCPU, ${size('MEMORY')} MiB; at most ` +
      `${definition.timeout?.attemptDurationSeconds ?? 0} s an attempt`,
    `retries     ${retry?.attempts ?? 1} attempts; exit 1 and 13x retried, 2 and 3 not, ` +
      'a lost host retried',
  ];

  if (roles.verdict === 'not-ready') {
    lines.push('blocked: the job role is not ready: run tickops iam apply --ecs first');
  } else if (roles.verdict === 'unknown') {
    lines.push('note: the job role could not be checked with these credentials');
  }
  if (!state.current) {
    lines.push(`job definition ${state.name}: none registered; apply registers revision 1`);
  } else if (state.differences.length === 0) {
    lines.push(`job definition ${state.name}: revision ${state.current.revision} is in place`);
  } else {
    lines.push(
      `job definition ${state.name}: revision ${state.current.revision} differs in ` +
        `${state.differences.join(', ')}; apply registers a new revision`,
    );
  }

  return lines;
}

/** The array job as a header line and one line per child. */
export function formatArrayJob(status: ArrayJobStatus): string[] {
  const counts = new Map<string, number>();
  for (const child of status.children)
    counts.set(child.status, (counts.get(child.status) ?? 0) + 1);
  const summary = [...counts].map(([state, count]) => `${count} ${state.toLowerCase()}`).join(', ');
  const lines = [
    `${status.jobName} (${status.jobId}): ${status.status}; ${status.size} shards: ${summary}`,
  ];

  for (const child of status.children) {
    const codes = child.exitCodes.map((code) => (code === undefined ? 'none' : String(code)));
    const attempts =
      codes.length === 0
        ? 'no attempt yet'
        : child.exitCodes.every((code) => code === undefined)
          ? `${codes.length} attempt(s), no exit code`
          : `exit ${codes.join(', then ')}`;
    const reason = child.reason ? `  ${child.reason}` : '';
    const shard = `${child.index}/${status.size}`.padEnd(9);
    lines.push(`shard ${shard} ${child.status.padEnd(9)} ${attempts}${reason}`);
  }

  return lines;
}
