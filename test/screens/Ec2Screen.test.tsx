import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Ec2Screen } from '../../src/screens/Ec2Screen.js';
import type { Ec2Service } from '../../src/screens/ec2-service.js';
import type { Machine } from '../../src/services/ec2/machine.js';
import type { Ec2Status } from '../../src/services/ec2/status.js';
import { keys, renderSized } from './console-fixtures.js';
import { waitFor } from './screen-wait.js';

afterEach(() => cleanup());

const machine: Machine = {
  instanceId: 'i-0abc123def4567890',
  name: 'tickops-downloader',
  state: 'running',
  stateReason: undefined,
  instanceType: 't3.micro',
  imageId: 'ami-0841e304792db6a16',
  launchTime: '2024-10-25T06:00:00.000Z',
  availabilityZone: 'eu-west-1a',
  publicIp: undefined,
  publicDns: undefined,
  privateIp: '172.31.5.9',
  vpcId: 'vpc-1',
  subnetId: 'subnet-1',
  securityGroupIds: ['sg-1'],
  instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/DataProcessor',
  metadata: { httpTokens: 'required', hopLimit: 2, httpEndpoint: 'enabled' },
  tags: { 'tickops:role': 'downloader' },
};

function statusWith(state: Machine['state']): Ec2Status {
  return {
    region: 'eu-west-1',
    bucket: 'ftse100',
    machines: [
      {
        machine: { ...machine, state },
        consoleTail: { state: 'available', lines: ['cloud-init finished'] },
      },
    ],
    lastUpload: {
      state: 'found',
      key: 'manifests/20241025.json',
      date: '2024-10-25',
      uploadedAt: '2024-10-25T16:05:00Z',
    },
    nextRuns: [
      {
        instant: 0,
        utc: '2024-10-28T17:00:00.000Z',
        local: 'Mon 2024-10-28 17:00 GMT',
        timeZone: 'Europe/London',
      },
    ],
  } as Ec2Status;
}

function fakeEc2(initial: Machine['state'] = 'running') {
  let state = initial;
  const calls: string[] = [];
  const service: Ec2Service = {
    status: async () => statusWith(state),
    change: async (action, instanceId, onEvent) => {
      calls.push(`${action} ${instanceId}`);
      const from = state;
      state = action === 'stop' ? 'stopped' : action === 'start' ? 'running' : 'terminated';
      onEvent({ type: 'state-change', instanceId, from, to: state });
      return { instanceId, action, changed: true, from, to: state } as never;
    },
    prepareLaunch: async (image) => ({
      lines: [
        'launch plan in eu-west-1:',
        `  image          for ${image}`,
        '  metadata       IMDSv2 required, hop limit 2',
      ],
      launch: async (onEvent) => {
        calls.push(`launch ${image}`);
        onEvent({ type: 'launched', instanceId: 'i-0new' });
        return { ...machine, instanceId: 'i-0new' };
      },
    }),
  };

  return { service, calls };
}

const frame = (screen: { lastFrame(): string | undefined }) => screen.lastFrame() ?? '';

describe('Ec2Screen', () => {
  it('shows the machine, its metadata settings, the last upload and the next run', async () => {
    const screen = renderSized(
      <Ec2Screen ec2={fakeEc2().service} width={100} height={20} />,
      100,
      24,
    );

    await waitFor(() => expect(frame(screen)).toContain('i-0abc123def4567890'));
    expect(frame(screen)).toContain('IMDSv2 required, hop limit 2');
    expect(frame(screen)).toContain('Mon 2024-10-28 17:00 GMT = 2024-10-28T17:00:00.000Z');
    expect(frame(screen)).toContain('cloud-init finished');
  });

  it('stops the machine only after a y to a question that names it', async () => {
    const ec2 = fakeEc2();
    const screen = renderSized(<Ec2Screen ec2={ec2.service} width={100} height={20} />, 100, 24);
    await waitFor(() => expect(frame(screen)).toContain('selected i-0abc123def4567890'));

    screen.stdin.write('s');
    await waitFor(() => expect(frame(screen)).toMatch(/stop i-0abc123def4567890 .*\? y\/N/));
    screen.stdin.write('n');
    await waitFor(() => expect(frame(screen)).toContain('selected'));
    screen.stdin.write('s');
    await waitFor(() => expect(frame(screen)).toContain('? y/N'));
    screen.stdin.write('y');

    await waitFor(() => expect(frame(screen)).toContain('i-0abc123def4567890: running -> stopped'));
    expect(ec2.calls).toEqual(['stop i-0abc123def4567890']);
  });

  it('terminates only when the instance id is typed', async () => {
    const ec2 = fakeEc2();
    const screen = renderSized(<Ec2Screen ec2={ec2.service} width={100} height={20} />, 100, 24);
    await waitFor(() => expect(frame(screen)).toContain('selected'));

    screen.stdin.write('T');
    await waitFor(() =>
      expect(frame(screen)).toContain('type i-0abc123def4567890 to terminate it'),
    );
    screen.stdin.write('i-0wrong');
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toContain('nothing terminated'));
    expect(ec2.calls).toEqual([]);
    screen.stdin.write('T');
    await waitFor(() => expect(frame(screen)).toContain('to terminate it'));
    screen.stdin.write('i-0abc123def4567890');
    screen.stdin.write(keys.enter);

    await waitFor(() => expect(ec2.calls).toEqual(['terminate i-0abc123def4567890']));
  });

  it('says a mistyped id terminated nothing, and leaves the machine alone', async () => {
    const ec2 = fakeEc2();
    const screen = renderSized(<Ec2Screen ec2={ec2.service} width={100} height={20} />, 100, 24);
    await waitFor(() => expect(frame(screen)).toContain('selected'));
    screen.stdin.write('T');
    await waitFor(() => expect(frame(screen)).toContain('to terminate it'));

    screen.stdin.write('i-0abc123def456789');
    screen.stdin.write(keys.enter);

    await waitFor(() =>
      expect(frame(screen)).toContain('id does not match i-0abc123def4567890; nothing terminated'),
    );
    expect(ec2.calls).toEqual([]);
    expect(frame(screen)).toContain('i-0abc123def4567890 (tickops-downloader), running');
    screen.stdin.write('j');
    await waitFor(() => expect(frame(screen)).toContain('selected i-0abc123def4567890'));
  });

  it('shows the launch plan first and launches on y', async () => {
    const ec2 = fakeEc2();
    const screen = renderSized(<Ec2Screen ec2={ec2.service} width={100} height={20} />, 100, 24);
    await waitFor(() => expect(frame(screen)).toContain('selected'));

    screen.stdin.write('L');
    await waitFor(() => expect(frame(screen)).toContain('container image to run'));
    screen.stdin.write('registry.example/tickops:1.0');
    screen.stdin.write(keys.enter);
    await waitFor(() => expect(frame(screen)).toContain('launch this machine? y/N'));
    expect(frame(screen)).toContain('IMDSv2 required, hop limit 2');
    screen.stdin.write('y');

    await waitFor(() => expect(frame(screen)).toContain('launched i-0new'));
    expect(ec2.calls).toEqual(['launch registry.example/tickops:1.0']);
  });

  it('shows an error in place with what to do', async () => {
    const service: Ec2Service = {
      ...fakeEc2().service,
      status: async () => {
        throw Object.assign(new Error('access denied: ec2:DescribeInstances on region eu-west-1'), {
          hint: 'grant ec2:DescribeInstances to these credentials',
        });
      },
    };
    const screen = renderSized(<Ec2Screen ec2={service} width={120} height={20} />, 120, 24);

    await waitFor(() =>
      expect(frame(screen)).toContain(
        'access denied: ec2:DescribeInstances on region eu-west-1 — grant',
      ),
    );
  });
});
