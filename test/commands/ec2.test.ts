import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { execa } from 'execa';
import { describeWithMoto, type MotoServer } from '../support/moto.js';
import { runTickops, tickopsBinary } from '../support/cli.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const image = 'ghcr.io/example/tickops:1.0';
const noStack = /\n\s+at /;

/** `script` gives the command a pseudo-terminal, as an operator's SSH session would. */
const hasScript = (await execa('which', ['script'], { reject: false })).exitCode === 0;
if (!hasScript)
  console.warn('Skipping the terminal confirmation test: script(1) is not installed.');

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tickops-ec2-cli-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function createProfile(moto: MotoServer): Promise<void> {
  const iam = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
  await iam.send(
    new CreateRoleCommand({ RoleName: 'DataProcessor', AssumeRolePolicyDocument: '{}' }),
  );
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'DataProcessor' }));
  await iam.send(
    new AddRoleToInstanceProfileCommand({
      InstanceProfileName: 'DataProcessor',
      RoleName: 'DataProcessor',
    }),
  );
  iam.destroy();
}

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { event: string } & Record<string, unknown>);

describeWithMoto('tickops ec2 against moto', (getMoto) => {
  beforeEach(async () => {
    await getMoto().reset();
    await createProfile(getMoto());
  });

  // Run from an empty folder so no tickops.config.json of the checkout is read.
  const tickops = (args: string[], extra: Record<string, string> = {}) =>
    runTickops(
      ['ec2', ...args],
      { ...getMoto().env, TICKOPS_NOW: '2024-10-25T11:00:00Z', ...extra },
      { cwd: folder },
    );
  const ec2 = (region = 'eu-west-1') =>
    new EC2Client({ region, endpoint: getMoto().endpoint, credentials, maxAttempts: 1 });

  it('launches with --yes --json, then status shows the machine and the next runs', async () => {
    const launch = await tickops([
      'launch',
      '--yes',
      '--json',
      '--image',
      image,
      '--ssh-cidr',
      '203.0.113.7/32',
    ]);
    const status = await tickops(['status', '--json']);

    expect(launch.stderr).toBe('');
    expect(launch.exitCode).toBe(0);
    const events = jsonLines(launch.stdout);
    const plan = events.find((event) => event.event === 'plan') as Record<string, unknown>;
    expect(plan).toMatchObject({ instanceType: 't3.micro', instanceProfile: 'DataProcessor' });
    expect(plan.userData).toBeUndefined();
    expect(events.map((event) => event.event)).toEqual(
      expect.arrayContaining(['security-group-created', 'ssh-rule-added', 'launched', 'result']),
    );
    const result = events.at(-1) as unknown as { machine: { instanceId: string } };

    expect(status.exitCode).toBe(0);
    const [report] = jsonLines(status.stdout);
    expect(report).toMatchObject({
      event: 'status',
      region: 'eu-west-1',
      machines: [
        {
          machine: {
            instanceId: result.machine.instanceId,
            metadata: { httpTokens: 'required', hopLimit: 2 },
            instanceProfileArn: expect.stringMatching(/instance-profile\/DataProcessor$/),
          },
        },
      ],
      nextRuns: [
        expect.objectContaining({
          local: 'Fri 2024-10-25 17:00 BST',
          utc: '2024-10-25T16:00:00.000Z',
        }),
        expect.anything(),
        expect.anything(),
      ],
    });
  });

  it('shows the plan, then refuses without a terminal unless --yes, creating nothing', async () => {
    const result = await tickops(['launch', '--image', image]);

    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain('launch plan in eu-west-1:');
    expect(result.stdout).toMatch(/^ {2}metadata {7}IMDSv2 required, hop limit 2$/m);
    expect(result.stdout).toMatch(/^ {2}root volume {4}16 GiB gp3, encrypted, \/dev\/xvda$/m);
    expect(result.stdout).toMatch(
      /^ {2}security group tickops-downloader \(new\), inbound: none$/m,
    );
    expect(result.stderr).toBe(
      'tickops: refusing to launch a machine in eu-west-1 without confirmation: ' +
        'there is no terminal to ask on\n' +
        '  next: run it in a terminal, or pass --yes to confirm in advance',
    );
    const instances = await ec2().send(new DescribeInstancesCommand({}));
    expect(instances.Reservations ?? []).toEqual([]);
  });

  it('refuses a second tagged launch (exit 1) and SSH from anywhere (exit 2)', async () => {
    await tickops(['launch', '--yes', '--image', image]);

    const second = await tickops(['launch', '--yes', '--image', image]);
    const open = await tickops([
      'launch',
      '--yes',
      '--allow-second',
      '--image',
      image,
      '--ssh-cidr',
      '0.0.0.0/0',
    ]);

    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(
      /^tickops: a machine tagged tickops:role=downloader already exists in eu-west-1: i-/m,
    );
    expect(second.stderr).toMatch(/next: .*--allow-second/);
    expect(open.exitCode).toBe(2);
    expect(open.stderr).toMatch(/--ssh-cidr 0\.0\.0\.0\/0 would open SSH to the whole internet/);
    expect(second.stderr + open.stderr).not.toMatch(noStack);
  });

  it('stops, starts and terminates with --yes; refuses without a terminal', async () => {
    await tickops(['launch', '--yes', '--image', image]);

    const refused = await tickops(['stop']);
    const stop = await tickops(['stop', '--yes', '--wait']);
    const stopAgain = await tickops(['stop', '--yes']);
    const stopped = await tickops(['status']);
    const start = await tickops(['start', '--yes', '--json']);
    const terminate = await tickops(['terminate', '--yes']);
    const none = await tickops(['status']);

    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^tickops: refusing to stop i-[0-9a-f]+ without confirmation/);
    expect(stop.exitCode).toBe(0);
    expect(stop.stdout).toMatch(/^i-[0-9a-f]+: running -> stopping$/m);
    expect(stop.stdout).toMatch(/^i-[0-9a-f]+ is stopped$/m);
    expect(stopAgain.stdout).toMatch(/^i-[0-9a-f]+ is already stopped$/m);
    expect(stopped.stdout).toMatch(
      /^machine {3}i-[0-9a-f]+ \(tickops-downloader\), stopped t3\.micro$/m,
    );
    expect(jsonLines(start.stdout).at(-1)).toMatchObject({
      event: 'result',
      action: 'start',
      from: 'stopped',
    });
    expect(terminate.stdout).toMatch(/^i-[0-9a-f]+: running -> shutting-down$/m);
    expect(none.stdout).toMatch(/^no machine tagged tickops:role=downloader in eu-west-1$/m);
  });

  it.skipIf(!hasScript)(
    'asks on a terminal, naming the instance; terminate wants the id typed',
    async () => {
      await tickops(['launch', '--yes', '--image', image]);
      const onTerminal = async (args: string, input: string) => {
        const result = await execa(
          'script',
          ['-qec', `node '${tickopsBinary}' ec2 ${args}`, '/dev/null'],
          {
            env: {
              PATH: process.env.PATH ?? '',
              HOME: folder,
              AWS_CONFIG_FILE: '/dev/null',
              AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
              ...getMoto().env,
            },
            extendEnv: false,
            cwd: folder,
            input,
            reject: false,
            timeout: 60_000,
          },
        );
        return { exitCode: result.exitCode, output: String(result.stdout) };
      };

      const declined = await onTerminal('stop', 'n\n');
      const wrongId = await onTerminal('terminate', 'i-00000000\n');
      const accepted = await onTerminal('stop', 'y\n');

      expect(declined.output).toMatch(
        /Stop i-[0-9a-f]+ \(tickops-downloader\), running t3\.micro\? \[y\/N\]/,
      );
      expect(declined.output).toContain('cancelled; nothing was changed');
      expect(declined.exitCode).toBe(1);
      expect(wrongId.output).toMatch(/Terminate i-[0-9a-f]+ .*Type i-[0-9a-f]+ to confirm:/);
      expect(wrongId.exitCode).toBe(1);
      expect(accepted.exitCode).toBe(0);
      expect(accepted.output).toMatch(/i-[0-9a-f]+: running -> stopping/);
    },
  );

  it('says "no default VPC in eu-west-2" and creates nothing there (case B15)', async () => {
    const client = ec2('eu-west-2');
    const vpcs = await client.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
    );
    const vpcId = vpcs.Vpcs?.[0]?.VpcId ?? '';
    const subnets = await client.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    for (const subnet of subnets.Subnets ?? []) {
      await client.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId }));
    }
    await client.send(new DeleteVpcCommand({ VpcId: vpcId }));

    const result = await tickops(['launch', '--yes', '--image', image, '--region', 'eu-west-2']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^tickops: no default VPC in eu-west-2: a subnet is needed to launch$/m,
    );
    expect(result.stderr).toMatch(/next: pass --subnet subnet-/);
    const instances = await client.send(new DescribeInstancesCommand({}));
    expect(instances.Reservations ?? []).toEqual([]);
  });

  it('refuses a launch without --image, naming the flag', async () => {
    const result = await tickops(['launch', '--yes']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^tickops: launch needs the container image the machine runs$/m);
  });
});
