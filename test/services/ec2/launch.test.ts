import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { beforeEach, expect, it } from 'vitest';
import { AwsResourceError } from '../../../src/services/errors.js';
import type { Ec2Event } from '../../../src/services/ec2/events.js';
import { launchMachine } from '../../../src/services/ec2/launch.js';
import { launchDefaults, type LaunchRequest } from '../../../src/services/ec2/launch-plan.js';
import { planLaunch } from '../../../src/services/ec2/plan-launch.js';
import { describeWithMoto, type MotoServer } from '../../support/moto.js';
import { failure } from '../../support/failure.js';

const region = 'eu-west-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const userData = '#!/bin/bash\necho tickops\n';
const request: LaunchRequest = { ...launchDefaults };

const ec2For = (moto: MotoServer) =>
  new EC2Client({ region, endpoint: moto.endpoint, credentials, maxAttempts: 1 });
const ssmFor = (moto: MotoServer) =>
  new SSMClient({ region, endpoint: moto.endpoint, credentials, maxAttempts: 1 });

/** What the IAM setup leaves behind: the DataProcessor role inside its instance profile. */
async function createProfile(moto: MotoServer): Promise<void> {
  const iam = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  await iam.send(
    new CreateRoleCommand({ RoleName: 'DataProcessor', AssumeRolePolicyDocument: trust }),
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

/** Fail the next RunInstances calls with these errors before they leave the client. */
function failRunInstances(ec2: EC2Client, errors: Error[]): { attempts: number } {
  const seen = { attempts: 0 };
  ec2.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'RunInstancesCommand') return next(args);
      seen.attempts += 1;
      const error = errors.shift();
      if (error) throw error;

      return next(args);
    },
    { step: 'initialize', name: 'scriptedRunInstancesFailures' },
  );

  return seen;
}

/** The error EC2 really returns while a new instance profile propagates, as the SDK builds it. */
const profileNotReady = () =>
  new EC2ServiceException({
    name: 'InvalidParameterValue',
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: '00000000-0000-0000-0000-000000000000' },
    message:
      'Value (DataProcessor) for parameter iamInstanceProfile.name is invalid. ' +
      'Invalid IAM Instance Profile name',
  });

describeWithMoto('launchMachine against moto', (getMoto) => {
  beforeEach(async () => {
    await getMoto().reset();
  });

  async function plan(ec2: EC2Client, extra: Partial<LaunchRequest> = {}, events?: Ec2Event[]) {
    return planLaunch(
      {
        ec2,
        ssm: ssmFor(getMoto()),
        region,
        containerImage: 'ghcr.io/example/tickops:1.0',
        userData,
        onEvent: events && ((event) => events.push(event)),
      },
      { ...request, ...extra },
    );
  }

  it('launches with IMDSv2, hop limit 2, the profile, encrypted gp3, one SSH range', async () => {
    await createProfile(getMoto());
    const ec2 = ec2For(getMoto());

    const machine = await launchMachine(ec2, await plan(ec2, { sshCidr: '203.0.113.7/32' }));

    const described = await ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [machine.instanceId] }),
    );
    const instance = described.Reservations?.[0]?.Instances?.[0];
    expect(instance?.MetadataOptions).toMatchObject({
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 2,
      HttpEndpoint: 'enabled',
    });
    expect(instance?.IamInstanceProfile?.Arn).toMatch(/:instance-profile\/DataProcessor$/);
    expect(instance?.InstanceType).toBe('t3.micro');
    expect(instance?.ImageId).toMatch(/^ami-/);
    expect(instance?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'tickops:role', Value: 'downloader' },
        { Key: 'Name', Value: 'tickops-downloader' },
        { Key: 'tickops:image', Value: 'ghcr.io/example/tickops:1.0' },
      ]),
    );

    const volumeId = instance?.BlockDeviceMappings?.[0]?.Ebs?.VolumeId ?? '';
    const volumes = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
    expect(volumes.Volumes?.[0]).toMatchObject({ Encrypted: true, VolumeType: 'gp3', Size: 16 });

    const groupIds = (instance?.SecurityGroups ?? []).map((group) => group.GroupId ?? '');
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }));
    expect(groups.SecurityGroups?.map((group) => group.GroupName)).toEqual(['tickops-downloader']);
    const inbound = groups.SecurityGroups?.[0]?.IpPermissions ?? [];
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22 });
    expect(inbound[0]?.IpRanges?.map((range) => range.CidrIp)).toEqual(['203.0.113.7/32']);

    const attribute = await ec2.send(
      new DescribeInstanceAttributeCommand({
        InstanceId: machine.instanceId,
        Attribute: 'userData',
      }),
    );
    expect(Buffer.from(attribute.UserData?.Value ?? '', 'base64').toString('utf8')).toBe(userData);
  });

  it('gives its security group no inbound rule at all when no SSH range is given', async () => {
    await createProfile(getMoto());
    const ec2 = ec2For(getMoto());

    const machine = await launchMachine(ec2, await plan(ec2));

    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [...machine.securityGroupIds] }),
    );
    expect(groups.SecurityGroups?.[0]?.IpPermissions).toEqual([]);
  });

  it('refuses a second machine with the tag; launches one beside it only when asked', async () => {
    await createProfile(getMoto());
    const ec2 = ec2For(getMoto());
    const first = await launchMachine(ec2, await plan(ec2));

    const refused = await failure(plan(ec2));
    const second = await launchMachine(ec2, await plan(ec2, { allowSecond: true }));

    expect(refused).toBeInstanceOf(AwsResourceError);
    expect((refused as Error).message).toContain(
      `already exists in ${region}: ${first.instanceId}`,
    );
    expect(second.instanceId).not.toBe(first.instanceId);
    expect(second.securityGroupIds).toEqual(first.securityGroupIds);
  });

  it('refuses to launch when a machine appeared after the plan was shown', async () => {
    await createProfile(getMoto());
    const ec2 = ec2For(getMoto());
    const shown = await plan(ec2);
    await launchMachine(ec2, await plan(ec2));

    const refused = await failure(launchMachine(ec2, shown));

    expect((refused as Error).message).toMatch(/already exists/);
  });

  it('retries "Invalid IAM Instance Profile name" while IAM propagates, saying so', async () => {
    await createProfile(getMoto());
    const ec2 = ec2For(getMoto());
    const seen = failRunInstances(ec2, [profileNotReady(), profileNotReady()]);
    const events: Ec2Event[] = [];
    const waits: number[] = [];

    const machine = await launchMachine(ec2, await plan(ec2), {
      onEvent: (event) => events.push(event),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    expect(machine.instanceId).toMatch(/^i-/);
    expect(seen.attempts).toBe(3);
    expect(waits).toEqual([2_000, 4_000]);
    const retries = events.filter((event) => event.type === 'profile-retry');
    expect(retries).toEqual([
      expect.objectContaining({ profile: 'DataProcessor', attempt: 1, delayMs: 2_000 }),
      expect.objectContaining({ profile: 'DataProcessor', attempt: 2, delayMs: 4_000 }),
    ]);
  });

  // moto answers IAM's NoSuchEntity where EC2 says InvalidParameterValue.
  it('waits for a profile that IAM creates while the launch is retrying', async () => {
    const ec2 = ec2For(getMoto());
    const shown = await plan(ec2);
    let waited = 0;

    const machine = await launchMachine(ec2, shown, {
      sleep: async () => {
        waited += 1;
        if (waited === 2) await createProfile(getMoto());
      },
    });

    expect(waited).toBe(2);
    expect(machine.instanceProfileArn).toMatch(/DataProcessor$/);
  });

  it('gives up after the bound, naming the profile, with no instance launched', async () => {
    const ec2 = ec2For(getMoto());
    let clock = 0;

    const error = await failure(
      launchMachine(ec2, await plan(ec2), {
        maxProfileWaitMs: 20_000,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      }),
    );

    expect(error).toBeInstanceOf(AwsResourceError);
    expect((error as Error).message).toBe(
      'EC2 still does not accept instance profile DataProcessor after 20 s',
    );
    const left = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: 'tag:tickops:role', Values: ['downloader'] }],
      }),
    );
    expect(left.Reservations ?? []).toEqual([]);
  });

  it('does not retry any other RunInstances error', async () => {
    await createProfile(getMoto());
    const ec2 = ec2For(getMoto());
    const capacity = new EC2ServiceException({
      name: 'InsufficientInstanceCapacity',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
      message: 'We currently do not have sufficient t3.micro capacity in the Availability Zone',
    });
    const seen = failRunInstances(ec2, [capacity]);

    const error = await failure(
      launchMachine(ec2, await plan(ec2), { sleep: async () => undefined }),
    );

    expect(seen.attempts).toBe(1);
    expect((error as Error).message).toMatch(
      /^ec2:RunInstances on the machine in eu-west-1 failed: InsufficientInstanceCapacity/,
    );
  });
});
