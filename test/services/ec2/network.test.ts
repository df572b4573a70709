/**
 * Case B15: a region without a default VPC. The exact replies of the case are replayed from a
 * loopback server to the real SDK client; the same situation is then made in moto by deleting
 * a region's default VPC.
 */
import {
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeSecurityGroupsCommand,
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
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/services/errors.js';
import { launchMachine } from '../../../src/services/ec2/launch.js';
import { launchDefaults, type LaunchPlan } from '../../../src/services/ec2/launch-plan.js';
import { planLaunch } from '../../../src/services/ec2/plan-launch.js';
import { describeWithMoto } from '../../support/moto.js';
import { failure } from '../../support/failure.js';
import {
  startScriptedServer,
  type ScriptedReply,
  type ScriptedServer,
} from '../../support/scripted-http.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const ns = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';
const ok = (action: string, inner: string): ScriptedReply => ({
  status: 200,
  headers: { 'content-type': 'text/xml;charset=UTF-8' },
  body: `<${action}Response ${ns}><requestId>r-1</requestId>${inner}</${action}Response>`,
});
const b15Error: ScriptedReply = {
  status: 400,
  body:
    '<Response><Errors><Error><Code>VPCIdNotSpecified</Code><Message>No default VPC for this ' +
    'user. GroupName is only supported for EC2-Classic and default VPC.</Message></Error>' +
    '</Errors><RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>',
};
const replies = {
  noInstances: ok('DescribeInstances', '<reservationSet/>'),
  noVpcs: ok('DescribeVpcs', '<vpcSet/>'),
  defaultVpc: ok(
    'DescribeVpcs',
    '<vpcSet><item><vpcId>vpc-0default</vpcId><isDefault>true</isDefault></item></vpcSet>',
  ),
  defaultSubnets: ok(
    'DescribeSubnets',
    '<subnetSet><item><subnetId>subnet-0d</subnetId><vpcId>vpc-0default</vpcId>' +
      '<mapPublicIpOnLaunch>true</mapPublicIpOnLaunch></item></subnetSet>',
  ),
  subnet: ok(
    'DescribeSubnets',
    '<subnetSet><item><subnetId>subnet-0abc1234</subnetId><vpcId>vpc-0def5678</vpcId>' +
      '<mapPublicIpOnLaunch>true</mapPublicIpOnLaunch></item></subnetSet>',
  ),
  group: (vpcId: string) =>
    ok(
      'DescribeSecurityGroups',
      `<securityGroupInfo><item><groupId>sg-0aaa1111</groupId><groupName>ops</groupName>` +
        `<vpcId>${vpcId}</vpcId><ipPermissions/></item></securityGroupInfo>`,
    ),
  image: ok(
    'DescribeImages',
    '<imagesSet><item><imageId>ami-0123456789abcdef0</imageId><name>al2023-ami-2023.6-x86_64' +
      '</name><rootDeviceName>/dev/xvda</rootDeviceName><blockDeviceMapping><item><deviceName>' +
      '/dev/xvda</deviceName><ebs><volumeSize>8</volumeSize></ebs></item></blockDeviceMapping>' +
      '</item></imagesSet>',
  ),
  launched: ok(
    'RunInstances',
    '<reservationId>r-0</reservationId><instancesSet><item><instanceId>i-0b15b15b15b15b15b' +
      '</instanceId><instanceState><code>0</code><name>pending</name></instanceState></item>' +
      '</instancesSet>',
  ),
};

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A loopback EC2 answering by Action; `actions` lists what the client asked, in order. */
async function scriptedEc2(answers: Record<string, ScriptedReply | ScriptedReply[]>) {
  const actions: string[] = [];
  server = await startScriptedServer((request) => {
    const action = new URLSearchParams(request.body).get('Action') ?? '?';
    actions.push(action);
    const answer = answers[action];
    const reply = Array.isArray(answer) ? answer.shift() : answer;

    return (
      reply ?? {
        status: 500,
        body:
          `<Response><Errors><Error><Code>Unscripted</Code><Message>${action}</Message>` +
          '</Error></Errors></Response>',
      }
    );
  });
  const options = { region: 'eu-west-1', endpoint: server.url, credentials, maxAttempts: 3 };

  return { ec2: new EC2Client(options), ssm: new SSMClient(options), actions, server };
}

const context = (ec2: EC2Client, ssm: SSMClient) => ({
  ec2,
  ssm,
  region: 'eu-west-1',
  containerImage: 'ghcr.io/example/tickops:1.0',
  userData: '#!/bin/bash\n',
});

describe('launching in eu-west-1 without a default VPC (case B15, replayed)', () => {
  it('stops with an actionable message, creating nothing, when no subnet is given', async () => {
    const { ec2, ssm, actions } = await scriptedEc2({
      DescribeInstances: replies.noInstances,
      DescribeVpcs: replies.noVpcs,
    });

    const error = await failure(planLaunch(context(ec2, ssm), { ...launchDefaults }));

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'no default VPC in eu-west-1: a subnet is needed to launch',
    );
    expect((error as ConfigError).hint).toMatch(/--subnet subnet-.*--security-group sg-/);
    expect(actions).toEqual(['DescribeInstances', 'DescribeVpcs']);
  });

  it('sends SubnetId and SecurityGroupIds (ids, never names) when both are given', async () => {
    const {
      ec2,
      ssm,
      actions,
      server: seen,
    } = await scriptedEc2({
      DescribeInstances: [replies.noInstances, replies.noInstances],
      DescribeSubnets: replies.subnet,
      DescribeSecurityGroups: replies.group('vpc-0def5678'),
      DescribeImages: replies.image,
      RunInstances: replies.launched,
    });
    const request = {
      ...launchDefaults,
      subnetId: 'subnet-0abc1234',
      securityGroupIds: ['sg-0aaa1111'],
      imageId: 'ami-0123456789abcdef0',
    };

    const plan = await planLaunch(context(ec2, ssm), request);
    const machine = await launchMachine(ec2, plan);

    expect(machine.instanceId).toBe('i-0b15b15b15b15b15b');
    expect(actions).not.toContain('DescribeVpcs');
    expect(actions).not.toContain('CreateSecurityGroup');
    const run = new URLSearchParams(seen.requests.at(-1)?.body ?? '');
    expect(run.get('Action')).toBe('RunInstances');
    expect(run.get('SubnetId')).toBe('subnet-0abc1234');
    expect(run.get('SecurityGroupId.1')).toBe('sg-0aaa1111');
    expect([...run.keys()].filter((key) => key.startsWith('SecurityGroup.'))).toEqual([]);
    expect(run.get('MetadataOptions.HttpTokens')).toBe('required');
    expect(run.get('MetadataOptions.HttpPutResponseHopLimit')).toBe('2');
    expect(run.get('BlockDeviceMapping.1.Ebs.Encrypted')).toBe('true');
    expect(run.get('BlockDeviceMapping.1.Ebs.VolumeType')).toBe('gp3');
    expect(run.get('IamInstanceProfile.Name')).toBe('DataProcessor');
    expect(Buffer.from(run.get('UserData') ?? '', 'base64').toString()).toBe('#!/bin/bash\n');
  });

  it('reports a security group in another VPC than the subnet instead of sending it', async () => {
    const { ec2, ssm, actions } = await scriptedEc2({
      DescribeInstances: replies.noInstances,
      DescribeSubnets: replies.subnet,
      DescribeSecurityGroups: replies.group('vpc-0other'),
    });

    const error = await failure(
      planLaunch(context(ec2, ssm), {
        ...launchDefaults,
        subnetId: 'subnet-0abc1234',
        securityGroupIds: ['sg-0aaa1111'],
      }),
    );

    expect((error as Error).message).toBe(
      'security group sg-0aaa1111 is in vpc-0other, ' +
        "not in subnet subnet-0abc1234's VPC vpc-0def5678",
    );
    expect(actions).not.toContain('RunInstances');
  });

  it('says "no default VPC in eu-west-1" for VPCIdNotSpecified and does not retry', async () => {
    const { ec2, ssm, actions } = await scriptedEc2({
      DescribeInstances: [replies.noInstances, replies.noInstances],
      DescribeVpcs: replies.defaultVpc,
      DescribeSubnets: replies.defaultSubnets,
      DescribeSecurityGroups: replies.group('vpc-0default'),
      DescribeImages: replies.image,
      RunInstances: [b15Error, replies.launched],
    });
    // The default VPC is deleted between the plan and the launch.
    const plan = await planLaunch(context(ec2, ssm), {
      ...launchDefaults,
      securityGroupIds: ['sg-0aaa1111'],
      imageId: 'ami-0123456789abcdef0',
    });

    const error = await failure(launchMachine(ec2, plan, { sleep: async () => undefined }));

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^no default VPC in eu-west-1/);
    expect((error as Error).message).not.toMatch(/GroupName|EC2-Classic/);
    expect(actions.filter((action) => action === 'RunInstances')).toHaveLength(1);
  });
});

describeWithMoto(
  'launching in a moto region whose default VPC was deleted (case B15)',
  (getMoto) => {
    const region = 'eu-west-2';

    async function deleteDefaultVpc(ec2: EC2Client): Promise<void> {
      const vpcs = await ec2.send(
        new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
      );
      for (const vpc of vpcs.Vpcs ?? []) {
        const subnets = await ec2.send(
          new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId ?? ''] }] }),
        );
        for (const subnet of subnets.Subnets ?? []) {
          await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId }));
        }
        await ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId }));
      }
    }

    it('refuses before creating anything; a stale plan gets the same message', async () => {
      const ec2 = new EC2Client({
        region,
        endpoint: getMoto().endpoint,
        credentials,
        maxAttempts: 1,
      });
      const ssm = new SSMClient({
        region,
        endpoint: getMoto().endpoint,
        credentials,
        maxAttempts: 1,
      });
      const iam = new IAMClient({ region: 'us-east-1', endpoint: getMoto().endpoint, credentials });
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
      const stale = await planLaunch({ ...context(ec2, ssm), region }, { ...launchDefaults });
      await deleteDefaultVpc(ec2);

      const refused = await failure(
        planLaunch({ ...context(ec2, ssm), region }, { ...launchDefaults }),
      );
      const groupsBefore = await ec2.send(new DescribeSecurityGroupsCommand({}));
      const late = await failure(
        launchMachine(ec2, {
          ...stale,
          ownGroup: undefined,
          network: { ...stale.network, securityGroupIds: [] },
        } satisfies LaunchPlan),
      );

      expect((refused as Error).message).toBe(
        'no default VPC in eu-west-2: a subnet is needed to launch',
      );
      expect((groupsBefore.SecurityGroups ?? []).map((group) => group.GroupName)).not.toContain(
        'tickops-downloader',
      );
      expect((late as Error).message).toMatch(/^no default VPC in eu-west-2/);
      const instances = await ec2.send(new DescribeInstancesCommand({}));
      expect(instances.Reservations ?? []).toEqual([]);
    });
  },
);
