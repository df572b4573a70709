import { describe, expect, it } from 'vitest';
import { formatArrayJob } from '../../../src/services/batch/describe.js';
import { chooseQueue, type QueueCandidate } from '../../../src/services/batch/discover.js';
import { differingFields } from '../../../src/services/batch/definition-diff.js';
import { renderJobDefinition } from '../../../src/services/batch/job-definition.js';
import { renderSubmission } from '../../../src/services/batch/submit.js';
import { loadConfig } from '../../../src/services/config.js';
import { ConfigError } from '../../../src/services/errors.js';
import { containerSpecFrom, isFargateSize } from '../../../src/services/shard-container.js';

const config = loadConfig({ env: { TICKOPS_BUCKET: 'ticks' }, cwd: '/tmp', readFile: () => '{}' });
const image = 'registry.example/tickops:1.0';

describe('the Batch job definition', () => {
  const definition = renderJobDefinition({
    container: containerSpecFrom(config, { image }),
    jobRoleArn: 'arn:aws:iam::1:role/DataProcessor',
    executionRoleArn: 'arn:aws:iam::1:role/exec',
    attempts: 2,
    timeoutSeconds: 3600,
    assignPublicIp: 'ENABLED',
  });

  it('runs --run-today on Fargate with the job role and the settings from the config', () => {
    expect(definition.platformCapabilities).toEqual(['FARGATE']);
    expect(definition.containerProperties).toMatchObject({
      image,
      command: ['--run-today'],
      jobRoleArn: 'arn:aws:iam::1:role/DataProcessor',
    });
    expect(definition.containerProperties?.environment).toContainEqual({
      name: 'TICKOPS_BUCKET',
      value: 'ticks',
    });
    // The index is Batch's own, per child: nothing shard-specific is baked in.
    const names = definition.containerProperties?.environment?.map((entry) => entry.name);
    expect(names).not.toContain('TICKOPS_SHARD');
  });

  it('retries partial failures and lost hosts, never usage or permission errors', () => {
    const conditions = definition.retryStrategy?.evaluateOnExit ?? [];
    const actionFor = (code: string) =>
      conditions.find(
        (item) =>
          item.onExitCode &&
          (item.onExitCode === code ||
            (item.onExitCode.endsWith('*') && code.startsWith(item.onExitCode.slice(0, -1)))),
      )?.action;

    expect(conditions.length).toBeLessThanOrEqual(5);
    expect(actionFor('2')).toBe('EXIT');
    expect(actionFor('3')).toBe('EXIT');
    expect(actionFor('1')).toBe('RETRY');
    expect(actionFor('130')).toBe('RETRY');
    expect(actionFor('137')).toBe('RETRY');
    // No catch-all EXIT: an attempt without an exit code (its host went away) is retried.
    expect(conditions.some((item) => item.onReason === '*' || item.onStatusReason === '*')).toBe(
      false,
    );
  });

  it('is compared on the fields we set, not on defaults AWS adds', () => {
    const registered = {
      ...definition,
      revision: 3,
      containerProperties: { ...definition.containerProperties, volumes: [], ulimits: [] },
    };

    expect(differingFields(definition, registered)).toEqual([]);
    expect(
      differingFields(definition, {
        ...registered,
        containerProperties: { ...registered.containerProperties, image: 'other:2' },
      }),
    ).toEqual(['containerProperties.image']);
  });

  it('accepts only sizes Fargate runs, and an image', () => {
    expect(isFargateSize(0.5, 1024)).toBe(true);
    expect(isFargateSize(1, 9216)).toBe(false);
    expect(() => containerSpecFrom(config, { image, vcpu: '0.3' })).toThrow(ConfigError);
    expect(() => containerSpecFrom(config, {})).toThrow(/need the container image/);
  });
});

describe('the array submission', () => {
  it('carries the date and the shard count, and an array of N children', () => {
    const request = renderSubmission('2024-10-25', 8, 'arn:queue');

    expect(request).toMatchObject({
      jobName: 'tickops-20241025',
      arrayProperties: { size: 8 },
      containerOverrides: {
        command: ['--run-today', '--date', '2024-10-25'],
        environment: [{ name: 'TICKOPS_SHARD_COUNT', value: '8' }],
      },
    });
    expect(() => renderSubmission('2024-10-25', 1, 'arn:queue')).toThrow(/--size/);
  });
});

describe('chooseQueue', () => {
  const queue = (name: string, unusable?: string): QueueCandidate => ({
    name,
    arn: `arn:aws:batch:eu-west-1:1:job-queue/${name}`,
    computeEnvironments: [`${name}-ce`],
    unusable,
  });

  it('takes the only usable queue, or the one named', () => {
    expect(chooseQueue([queue('a'), queue('ec2', 'ec2-ce is EC2')]).name).toBe('a');
    expect(chooseQueue([queue('a'), queue('b')], 'b').name).toBe('b');
  });

  it('refuses to guess: none usable, several, or a named one that cannot run Fargate', () => {
    expect(() => chooseQueue([])).toThrow(/no AWS Batch job queue here can run Fargate shards/);
    expect(() => chooseQueue([queue('a'), queue('b')])).toThrow(/2 job queues could run/);
    expect(() => chooseQueue([queue('ec2', 'ec2-ce is EC2')], 'ec2')).toThrow(
      /job queue ec2 cannot run the shards: ec2-ce is EC2/,
    );
  });
});

describe('formatArrayJob', () => {
  it('shows each shard with the exit code of every attempt', () => {
    const lines = formatArrayJob({
      jobId: 'job-1',
      jobName: 'tickops-20241025',
      status: 'RUNNING',
      size: 3,
      children: [
        { index: 0, status: 'SUCCEEDED', exitCodes: [1, 0], reason: undefined },
        { index: 1, status: 'FAILED', exitCodes: [3], reason: 'Essential container exited' },
        { index: 2, status: 'RUNNING', exitCodes: [], reason: undefined },
      ],
    });

    expect(lines).toEqual([
      'tickops-20241025 (job-1): RUNNING; 3 shards: 1 succeeded, 1 failed, 1 running',
      'shard 0/3       SUCCEEDED exit 1, then 0',
      'shard 1/3       FAILED    exit 3  Essential container exited',
      'shard 2/3       RUNNING   no attempt yet',
    ]);
  });
});
