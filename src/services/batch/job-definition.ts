/**
 * The AWS Batch job definition of a shard: a Fargate container running `--run-today` with the
 * DataProcessor role as its job role, and a retry strategy on the exit codes that mean "try
 * again". The date and the shard count come with each submission (see submit.ts), the index
 * from Batch itself, so one definition serves every day and every array size.
 */
import type { EvaluateOnExit, RegisterJobDefinitionCommandInput } from '@aws-sdk/client-batch';
import type { ContainerSpec } from '../shard-container.js';

/** The definition's name; each change registers a new revision of it. */
export const jobDefinitionName = 'tickops';

/** What a job definition is made of. */
export interface JobDefinitionSpec {
  readonly container: ContainerSpec;
  readonly jobRoleArn: string;
  readonly executionRoleArn: string;
  /** Attempts per child, 1 to 10 (default 3). */
  readonly attempts: number;
  /** Seconds an attempt may run before Batch stops it (timed-out attempts are not retried). */
  readonly timeoutSeconds: number;
  /** ENABLED for subnets without a NAT gateway: the source and S3 must be reachable. */
  readonly assignPublicIp: 'ENABLED' | 'DISABLED';
}

/**
 * Which endings are worth another attempt, first match wins (Batch allows five conditions):
 * - 2 (usage) and 3 (credentials or a permission): the same container would fail the same way.
 * - 1: some tickers failed (rate limits, timeouts, a flaky source) and the rest are stored. A
 *   new attempt starts on an empty disk and downloads the shard again, but uploads only what
 *   changed. A ticker with no data at all fails every attempt, so it costs the retries.
 * - 13x: 130 is our SIGTERM exit (a Fargate Spot reclaim, a host going away), 137 a SIGKILL
 *   (out of memory, or stopped hard).
 * - A failure to pull the image will not mend itself: exit.
 * Anything else, notably an attempt that ended without an exit code because its host was
 * lost, matches nothing, and Batch retries what matches nothing.
 */
export function shardRetryConditions(): EvaluateOnExit[] {
  return [
    { onExitCode: '2', action: 'EXIT' },
    { onExitCode: '3', action: 'EXIT' },
    { onExitCode: '1', action: 'RETRY' },
    { onExitCode: '13*', action: 'RETRY' },
    { onStatusReason: 'CannotPullContainerError*', action: 'EXIT' },
  ];
}

/** The RegisterJobDefinition request for a spec. */
export function renderJobDefinition(spec: JobDefinitionSpec): RegisterJobDefinitionCommandInput {
  const { container } = spec;

  return {
    jobDefinitionName,
    type: 'container',
    platformCapabilities: ['FARGATE'],
    containerProperties: {
      image: container.image,
      command: ['--run-today'],
      jobRoleArn: spec.jobRoleArn,
      executionRoleArn: spec.executionRoleArn,
      resourceRequirements: [
        { type: 'VCPU', value: String(container.vcpu) },
        { type: 'MEMORY', value: String(container.memoryMiB) },
      ],
      environment: container.environment.map((entry) => ({ ...entry })),
      networkConfiguration: { assignPublicIp: spec.assignPublicIp },
      fargatePlatformConfiguration: { platformVersion: 'LATEST' },
    },
    retryStrategy: { attempts: spec.attempts, evaluateOnExit: shardRetryConditions() },
    timeout: { attemptDurationSeconds: spec.timeoutSeconds },
  };
}
