import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchClient,
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobsCommand,
} from '@aws-sdk/client-batch';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyIam } from '../../src/services/iam/apply.js';
import { desiredIam } from '../../src/services/iam/desired.js';
import { planFromScratch } from '../../src/services/iam/plan.js';
import { runTickops } from '../support/cli.js';
import {
  createMotoS3Client,
  describeWithMoto,
  motoRegion,
  type MotoServer,
} from '../support/moto.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/tickops:1.0';
const account = '123456789012';
const noStack = /\n\s+at /;

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tickops-batch-cli-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Clients for the test's own setup: loopback moto, fake credentials, one attempt. */
function clients(moto: MotoServer) {
  const settings = { endpoint: moto.endpoint, credentials, maxAttempts: 1 };

  return {
    batch: new BatchClient({ ...settings, region: motoRegion }),
    ec2: new EC2Client({ ...settings, region: motoRegion }),
    iam: new IAMClient({ ...settings, region: 'us-east-1' }),
  };
}

/** A Fargate compute environment and queue, as an operator would have made them. */
async function createQueue(moto: MotoServer, name: string, type = 'FARGATE') {
  const { batch, ec2, iam } = clients(moto);
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId ?? '';
  const subnet = await ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24' }),
  );
  const group = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `${name}-sg`,
      Description: 'shards',
      VpcId: vpcId,
    }),
  );
  // moto insists on a service role; AWS falls back to its service-linked role without one.
  const role = await iam.send(
    new CreateRoleCommand({ RoleName: `${name}-service`, AssumeRolePolicyDocument: '{}' }),
  );
  const environment = await batch.send(
    new CreateComputeEnvironmentCommand({
      computeEnvironmentName: `${name}-ce`,
      type: 'MANAGED',
      state: 'ENABLED',
      serviceRole: role.Role?.Arn,
      computeResources: {
        type: type as 'FARGATE',
        maxvCpus: 16,
        subnets: [subnet.Subnet?.SubnetId ?? ''],
        securityGroupIds: [group.GroupId ?? ''],
      },
    }),
  );
  await batch.send(
    new CreateJobQueueCommand({
      jobQueueName: name,
      state: 'ENABLED',
      priority: 1,
      computeEnvironmentOrder: [
        { order: 1, computeEnvironment: environment.computeEnvironmentArn },
      ],
    }),
  );
}

/** The DataProcessor role trusting ECS tasks, put in place by the IAM service itself. */
async function createJobRole(moto: MotoServer) {
  const desired = desiredIam({
    accountId: account,
    partition: 'aws',
    bucket: 'tickops-batch',
    layout: {
      raw: 'raw/{date}/{ticker}.{ext}',
      bars: 'bars/{date}/{ticker}.csv',
      manifest: 'manifests/{date}.json',
    },
    flavour: 'least-privilege',
    ecs: true,
  });
  await applyIam(clients(moto).iam, planFromScratch(desired));
}

describeWithMoto(
  'tickops batch against moto',
  (getMoto) => {
    const tickops = (args: string[]) =>
      runTickops(
        ['batch', ...args],
        { ...getMoto().env, TICKOPS_BUCKET: 'tickops-batch', TICKOPS_NOW: '2024-10-25T17:00:00Z' },
        { cwd: folder },
      );
    const definitionFlags = ['--image', image, '--execution-role', 'ecsTaskExecutionRole'];
    // Made once, by whichever test needs them first, so each test also runs on its own.
    let queues: Promise<void> | undefined;
    const twoQueues = () =>
      (queues ??= createQueue(getMoto(), 'first').then(() => createQueue(getMoto(), 'second')));

    it('refuses to guess when there is no Fargate queue, or several', async () => {
      const none = await tickops(['plan', ...definitionFlags]);
      await twoQueues();
      const several = await tickops(['plan', ...definitionFlags]);
      const unknownQueue = await tickops(['plan', ...definitionFlags, '--queue', 'nosuch']);

      expect(none.exitCode).toBe(2);
      expect(none.stderr).toMatch(/^tickops: no AWS Batch job queue here can run Fargate shards$/m);
      expect(several.exitCode).toBe(2);
      expect(several.stderr).toContain('2 job queues could run the shards: choose one');
      expect(several.stderr).toMatch(/next: pass --queue with one of: first, second/);
      expect(unknownQueue.stderr).toMatch(/--queue nosuch: no such job queue/);
      expect(`${none.stderr}${several.stderr}`).not.toMatch(noStack);
    });

    it('plans, registers once, submits an array job and lists its children', async () => {
      await twoQueues();
      await createJobRole(getMoto());
      const plan = await tickops(['plan', ...definitionFlags, '--queue', 'first']);
      const apply = await tickops(['apply', ...definitionFlags, '--queue', 'first']);
      const again = await tickops(['apply', ...definitionFlags, '--queue', 'first']);
      // One shard has finished: its part is in the bucket.
      const s3 = createMotoS3Client(getMoto());
      await s3.send(
        new CreateBucketCommand({
          Bucket: 'tickops-batch',
          CreateBucketConfiguration: { LocationConstraint: motoRegion },
        }),
      );
      await s3.send(
        new PutObjectCommand({
          Bucket: 'tickops-batch',
          Key: 'manifests/20241025/parts/2-of-4.json',
          Body: '{}',
        }),
      );
      const submit = await tickops([
        'submit',
        '--queue',
        'first',
        '--date',
        '2024-10-25',
        '--size',
        '4',
      ]);
      const status = await tickops([
        'status',
        '--queue',
        'first',
        '--date',
        '2024-10-25',
        '--json',
      ]);

      expect(plan.exitCode).toBe(0);
      expect(plan.stdout).toContain(
        `job role    arn:aws:iam::${account}:role/DataProcessor: present`,
      );
      expect(plan.stdout).toContain('trusts ec2.amazonaws.com, ecs-tasks.amazonaws.com');
      expect(plan.stdout).toContain('job definition tickops: none registered');
      expect(apply.exitCode).toBe(0);
      expect(apply.stdout).toMatch(
        /^registered arn:aws:batch:eu-west-1:\d+:job-definition\/tickops:1 \(revision 1\)$/m,
      );
      expect(again.stdout).toContain('job definition tickops: revision 1 is in place');
      expect(again.stdout).toContain('nothing to change.');

      const { batch } = clients(getMoto());
      const definitions = await batch.send(
        new DescribeJobDefinitionsCommand({ jobDefinitionName: 'tickops', status: 'ACTIVE' }),
      );
      expect(definitions.jobDefinitions).toHaveLength(1);
      const [definition] = definitions.jobDefinitions ?? [];
      expect(definition?.platformCapabilities).toEqual(['FARGATE']);
      expect(definition?.containerProperties).toMatchObject({
        image,
        command: ['--run-today'],
        jobRoleArn: `arn:aws:iam::${account}:role/DataProcessor`,
        executionRoleArn: `arn:aws:iam::${account}:role/ecsTaskExecutionRole`,
        resourceRequirements: [
          { type: 'VCPU', value: '0.5' },
          { type: 'MEMORY', value: '1024' },
        ],
        networkConfiguration: { assignPublicIp: 'ENABLED' },
      });
      expect(definition?.containerProperties?.environment).toContainEqual({
        name: 'TICKOPS_BUCKET',
        value: 'tickops-batch',
      });
      expect(definition?.retryStrategy?.attempts).toBe(2);
      expect(
        definition?.retryStrategy?.evaluateOnExit?.map((item) => [
          item.onExitCode ?? item.onStatusReason,
          item.action?.toUpperCase(),
        ]),
      ).toEqual([
        ['2', 'EXIT'],
        ['3', 'EXIT'],
        ['1', 'RETRY'],
        ['13*', 'RETRY'],
        ['CannotPullContainerError*', 'EXIT'],
      ]);

      expect(submit.exitCode).toBe(0);
      expect(submit.stdout).toMatch(
        /^submitted tickops-20241025 \(\S+\) to first: 4 shards of 2024-10-25$/m,
      );
      const jobId = /\(([^)]+)\)/.exec(submit.stdout)?.[1] ?? '';
      const described = await batch.send(new DescribeJobsCommand({ jobs: [jobId] }));
      const [job] = described.jobs ?? [];
      expect(job?.arrayProperties?.size).toBe(4);
      expect(job?.container?.command).toEqual(['--run-today', '--date', '2024-10-25']);
      expect(job?.container?.environment).toContainEqual({
        name: 'TICKOPS_SHARD_COUNT',
        value: '4',
      });

      expect(status.exitCode).toBe(0);
      const report = JSON.parse(status.stdout) as {
        jobId: string;
        size: number;
        children: { index: number; status: string; exitCodes: number[] }[];
        parts: number[];
      };
      expect(report.jobId).toBe(jobId);
      expect(report.size).toBe(4);
      expect(report.children.map((child) => child.index)).toEqual([0, 1, 2, 3]);
      // moto's Batch without Docker marks every child SUCCEEDED at once.
      expect(report.children.every((child) => child.status === 'SUCCEEDED')).toBe(true);
      expect(report.parts).toEqual([2]);
      expect(status.stderr).toBe('');
    });

    it('rejects a bad size, a weekend and a size Fargate does not run, naming each', async () => {
      await twoQueues();
      const size = await tickops([
        'submit',
        '--queue',
        'first',
        '--date',
        '2024-10-25',
        '--size',
        '1',
      ]);
      const weekend = await tickops([
        'submit',
        '--queue',
        'first',
        '--date',
        '2024-10-26',
        '--size',
        '4',
      ]);
      const fargate = await tickops([
        'plan',
        ...definitionFlags,
        '--queue',
        'first',
        '--vcpu',
        '0.25',
        '--memory',
        '4096',
      ]);

      expect(size.exitCode).toBe(2);
      expect(size.stderr).toMatch(
        /^tickops: --size: expected a whole number from 2 to 1000, got '1'$/m,
      );
      expect(weekend.exitCode).toBe(2);
      expect(weekend.stderr).toContain('2024-10-26 is a weekend day');
      expect(fargate.exitCode).toBe(2);
      expect(fargate.stderr).toContain('--vcpu 0.25 with --memory 4096 is not a Fargate size');
    });
  },
  {
    // Batch without Docker: submitted jobs are marked finished instead of run in a container.
    setup: (moto) => configureMoto(moto),
  },
);

async function configureMoto(moto: MotoServer): Promise<void> {
  const response = await fetch(`${moto.endpoint}/moto-api/config`, {
    method: 'POST',
    body: JSON.stringify({ batch: { use_docker: false } }),
  });
  if (!response.ok) throw new Error(`moto config: ${response.status} ${await response.text()}`);
}
