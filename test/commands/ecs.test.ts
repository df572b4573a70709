import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyIam } from '../../src/services/iam/apply.js';
import { desiredIam } from '../../src/services/iam/desired.js';
import { planFromScratch } from '../../src/services/iam/plan.js';
import { runTickops } from '../support/cli.js';
import { describeWithMoto, motoRegion, type MotoServer } from '../support/moto.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const account = '123456789012';
const image = `${account}.dkr.ecr.eu-west-1.amazonaws.com/tickops:1.0`;

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tickops-ecs-cli-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function clients(moto: MotoServer) {
  const settings = { endpoint: moto.endpoint, credentials, maxAttempts: 1 };

  return {
    ecs: new ECSClient({ ...settings, region: motoRegion }),
    scheduler: new SchedulerClient({ ...settings, region: motoRegion }),
    iam: new IAMClient({ ...settings, region: 'us-east-1' }),
  };
}

async function scheduleNames(moto: MotoServer): Promise<string[]> {
  const reply = await clients(moto).scheduler.send(new ListSchedulesCommand({}));

  return (reply.Schedules ?? []).map((schedule) => schedule.Name ?? '').sort();
}

describeWithMoto('tickops ecs against moto', (getMoto) => {
  const tickops = (args: string[]) =>
    runTickops(
      ['ecs', ...args],
      { ...getMoto().env, TICKOPS_BUCKET: 'tickops-ecs' },
      { cwd: folder },
    );
  const flags = [
    ...['--image', image, '--execution-role', 'ecsTaskExecutionRole'],
    ...['--scheduler-role', 'tickops-scheduler', '--subnets', 'subnet-0a,subnet-0b'],
    ...['--security-groups', 'sg-0a'],
  ];

  it('refuses without a cluster, then keeps one schedule per shard in line', async () => {
    const noCluster = await tickops(['plan', ...flags, '--shards', '4']);
    const { ecs, scheduler, iam } = clients(getMoto());
    await ecs.send(new CreateClusterCommand({ clusterName: 'shards' }));
    await applyIam(
      iam,
      planFromScratch(
        desiredIam({
          accountId: account,
          partition: 'aws',
          bucket: 'tickops-ecs',
          layout: {
            raw: 'raw/{date}/{ticker}.{ext}',
            bars: 'bars/{date}/{ticker}.csv',
            manifest: 'manifests/{date}.json',
          },
          flavour: 'least-privilege',
          ecs: true,
        }),
      ),
    );

    const plan = await tickops(['plan', ...flags, '--shards', '4']);
    const apply = await tickops(['apply', ...flags, '--shards', '4']);
    const again = await tickops(['apply', ...flags, '--shards', '4', '--json']);
    const afterFour = await scheduleNames(getMoto());
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: 'tickops-shard-2-of-4' }));
    const task = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'tickops' }));
    const resized = await tickops(['apply', ...flags, '--shards', '2', '--at', '17:30']);
    const afterTwo = await scheduleNames(getMoto());

    expect(noCluster.exitCode).toBe(2);
    expect(noCluster.stderr).toMatch(/^tickops: no ACTIVE ECS cluster in this region/m);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain('task definition tickops: none registered yet');
    expect(plan.stdout).toContain('schedule    tickops-shard-3-of-4: create');
    expect(plan.stdout).toContain('cron(0 17 ? * MON-FRI *) in Europe/London');
    expect(apply.exitCode).toBe(0);
    expect(apply.stdout).toMatch(
      /^registered arn:aws:ecs:eu-west-1:\d+:task-definition\/tickops:1/m,
    );
    expect(apply.stdout).toContain('schedule    tickops-shard-0-of-4: created');
    expect(again.exitCode).toBe(0);
    const events = again.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; kind?: string });
    expect(events.filter((event) => event.event === 'registered')).toEqual([]);
    expect(events.filter((event) => event.event === 'schedule').map((event) => event.kind)).toEqual(
      ['in-place', 'in-place', 'in-place', 'in-place'],
    );
    expect(afterFour).toEqual([0, 1, 2, 3].map((index) => `tickops-shard-${index}-of-4`));

    expect(schedule.ScheduleExpression).toBe('cron(0 17 ? * MON-FRI *)');
    expect(schedule.ScheduleExpressionTimezone).toBe('Europe/London');
    expect(schedule.FlexibleTimeWindow?.Mode).toBe('OFF');
    expect(schedule.Target?.Arn).toBe('arn:aws:scheduler:::aws-sdk:ecs:runTask');
    expect(schedule.Target?.RoleArn).toBe(`arn:aws:iam::${account}:role/tickops-scheduler`);
    expect(schedule.Target?.RetryPolicy).toEqual({
      MaximumRetryAttempts: 3,
      MaximumEventAgeInSeconds: 3600,
    });
    const input = JSON.parse(schedule.Target?.Input ?? '{}');
    expect(input).toMatchObject({
      TaskDefinition: 'tickops',
      LaunchType: 'FARGATE',
      Count: 1,
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: ['subnet-0a', 'subnet-0b'],
          SecurityGroups: ['sg-0a'],
          AssignPublicIp: 'ENABLED',
        },
      },
    });
    expect(input.Cluster).toMatch(/:cluster\/shards$/);
    expect(input.Overrides.ContainerOverrides[0].Environment).toContainEqual({
      Name: 'TICKOPS_SHARD',
      Value: '2/4',
    });

    expect(task.taskDefinition).toMatchObject({
      family: 'tickops',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '512',
      memory: '1024',
      taskRoleArn: `arn:aws:iam::${account}:role/DataProcessor`,
    });
    expect(task.taskDefinition?.containerDefinitions?.[0]).toMatchObject({
      name: 'tickops',
      image,
      command: ['--run-today'],
    });

    expect(resized.exitCode).toBe(0);
    expect(resized.stdout).toContain(
      'schedule    tickops-shard-3-of-4: deleted (no longer a shard)',
    );
    expect(afterTwo).toEqual(['tickops-shard-0-of-2', 'tickops-shard-1-of-2']);
  });

  it('names the missing setting: shards, subnets, scheduler role, a bad time', async () => {
    const shards = await tickops(['plan', ...flags]);
    const subnets = await tickops(['plan', '--shards', '2', '--scheduler-role', 'x']);
    const role = await tickops(['plan', '--shards', '2', '--subnets', 'subnet-0a']);
    const time = await tickops(['plan', ...flags, '--shards', '2', '--at', '25:00']);

    expect(shards.exitCode).toBe(2);
    expect(shards.stderr).toMatch(/next: pass --shards N/);
    expect(subnets.stderr).toMatch(/next: pass --subnets/);
    expect(role.stderr).toMatch(/next: pass --scheduler-role/);
    expect(time.stderr).toMatch(/--at: expected a time as HH:MM, got '25:00'/);
  });
});
