/**
 * The IAM roles a cloud shard runs with. The job role (Batch) or task role (ECS) is the
 * DataProcessor role of the IAM service, which must also trust ecs-tasks.amazonaws.com (both
 * engines run the container as an ECS task): `tickops iam apply --ecs` puts that in place, and
 * this module only checks it, through the same check as `tickops iam check --ecs`. The
 * execution role (pulling the image, writing logs) is the operator's own, named on the command
 * line: tickops does not create it.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { AwsResourceError, ConfigError } from './errors.js';
import type { Config } from './config.js';
import { checkIam, type PieceReport } from './iam/check.js';
import { desiredIam } from './iam/desired.js';
import type { Identity } from './setup.js';

/** The roles and how the job role stands. */
export interface ShardRoles {
  readonly jobRoleArn: string;
  readonly executionRoleArn: string;
  readonly role: PieceReport;
  readonly trust: PieceReport;
  /** `ready`: role and trust present; `not-ready`: fix with iam apply; `unknown`: unreadable. */
  readonly verdict: 'ready' | 'not-ready' | 'unknown';
}

/** An ARN for a role given by name or ARN. */
export function roleArnOf(nameOrArn: string, identity: Identity): string {
  if (nameOrArn.startsWith('arn:')) return nameOrArn;

  return `arn:${identity.partition}:iam::${identity.accountId}:role/${nameOrArn}`;
}

/** Check the DataProcessor role for ECS tasks and resolve both role ARNs. */
export async function checkShardRoles(
  iam: IAMClient,
  identity: Identity,
  config: Config,
  executionRole: string | undefined,
): Promise<ShardRoles> {
  if (!executionRole) {
    throw new ConfigError('Fargate needs an execution role to pull the image and write logs', {
      hint: 'pass --execution-role NAME or ARN, e.g. ecsTaskExecutionRole',
    });
  }

  const desired = desiredIam({
    accountId: identity.accountId,
    partition: identity.partition,
    bucket: config.bucket,
    layout: config.layout,
    flavour: 'least-privilege',
    ecs: true,
  });
  const { pieces } = await checkIam(iam, desired);
  const states = [pieces.role.state, pieces.trust.state];
  const verdict = states.every((state) => state === 'present')
    ? 'ready'
    : states.includes('cannot-check')
      ? 'unknown'
      : 'not-ready';

  return {
    jobRoleArn: roleArnOf(desired.roleName, identity),
    executionRoleArn: roleArnOf(executionRole, identity),
    role: pieces.role,
    trust: pieces.trust,
    verdict,
  };
}

/** Refuse to register a definition whose role cannot be assumed by the tasks. */
export function requireReadyRoles(roles: ShardRoles): void {
  if (roles.verdict !== 'not-ready') return;

  const problem = roles.role.state === 'present' ? roles.trust.detail : roles.role.detail;
  throw new AwsResourceError(`role ${roles.jobRoleArn} is not ready for ECS tasks: ${problem}`, {
    hint: 'run tickops iam apply --ecs, then apply this again',
  });
}
