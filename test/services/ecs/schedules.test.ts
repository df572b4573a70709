import { describe, expect, it } from 'vitest';
import { chooseCluster } from '../../../src/services/ecs/discover.js';
import { renderSchedules, runTaskInput } from '../../../src/services/ecs/schedules.js';

const spec = {
  count: 3,
  partition: 'aws',
  clusterArn: 'arn:aws:ecs:eu-west-1:1:cluster/shards',
  subnets: ['subnet-1'],
  securityGroups: [],
  assignPublicIp: 'ENABLED' as const,
  schedulerRoleArn: 'arn:aws:iam::1:role/scheduler',
  at: { hour: 17, minute: 0 },
  timeZone: 'Europe/London',
  retryAttempts: 3,
  maxEventAgeSeconds: 3600,
};

describe('the shard schedules', () => {
  it('are one per shard, weekdays at 17:00 in the exchange zone, each with its own shard', () => {
    const schedules = renderSchedules(spec);

    expect(schedules.map((schedule) => schedule.Name)).toEqual([
      'tickops-shard-0-of-3',
      'tickops-shard-1-of-3',
      'tickops-shard-2-of-3',
    ]);
    for (const [index, schedule] of schedules.entries()) {
      expect(schedule.ScheduleExpression).toBe('cron(0 17 ? * MON-FRI *)');
      expect(schedule.ScheduleExpressionTimezone).toBe('Europe/London');
      const input = JSON.parse(schedule.Target?.Input ?? '{}');
      expect(input.Overrides.ContainerOverrides[0]).toEqual({
        Name: 'tickops',
        Environment: [
          { Name: 'TICKOPS_SHARD', Value: `${index}/3` },
          { Name: 'TICKOPS_SHARD_COUNT', Value: '3' },
        ],
      });
    }
  });

  it('leave security groups out when none are given (the VPC default applies)', () => {
    const input = runTaskInput(spec, { index: 0, count: 3 });

    expect(input.NetworkConfiguration.AwsvpcConfiguration).toEqual({
      Subnets: ['subnet-1'],
      AssignPublicIp: 'ENABLED',
    });
    expect(input.StartedBy.length).toBeLessThanOrEqual(36);
  });
});

describe('chooseCluster', () => {
  it('takes the only cluster or the named one, and refuses to guess between several', () => {
    const clusters = [
      { name: 'a', arn: 'arn:a' },
      { name: 'b', arn: 'arn:b' },
    ];

    expect(chooseCluster([clusters[0]!]).name).toBe('a');
    expect(chooseCluster(clusters, 'arn:b').name).toBe('b');
    expect(() => chooseCluster(clusters)).toThrow(/2 ECS clusters could run the shards/);
    expect(() => chooseCluster([], 'c')).toThrow(/--cluster c: no such ACTIVE ECS cluster/);
  });
});
