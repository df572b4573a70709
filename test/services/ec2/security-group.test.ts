import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/services/errors.js';
import {
  ensureOwnGroup,
  findOwnGroup,
  parseSshCidr,
} from '../../../src/services/ec2/security-group.js';
import { describeWithMoto } from '../../support/moto.js';
import { failure } from '../../support/failure.js';

const region = 'eu-west-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('parseSshCidr', () => {
  it.each([
    ['203.0.113.7/32', 'ipv4'],
    ['198.51.100.0/24', 'ipv4'],
    ['2001:db8::1/128', 'ipv6'],
  ])('accepts %s', (cidr, family) => {
    expect(parseSshCidr(cidr)).toEqual({ cidr, family });
  });

  it.each(['0.0.0.0/0', '::/0', '10.0.0.0/0'])('refuses %s, the whole internet', (cidr) => {
    expect(() => parseSshCidr(cidr)).toThrow(/would open SSH to the whole internet/);
  });

  it.each(['203.0.113.7', '203.0.113.7/33', 'my-laptop/32', '1.2.3.4/8/9', ''])(
    'refuses %j as not a range',
    (text) => {
      expect(() => parseSshCidr(text)).toThrow(ConfigError);
    },
  );
});

describeWithMoto('tickops security group against moto', (getMoto) => {
  beforeEach(async () => {
    await getMoto().reset();
  });

  const ec2 = () =>
    new EC2Client({ region, endpoint: getMoto().endpoint, credentials, maxAttempts: 1 });
  const defaultVpc = async (client: EC2Client) =>
    (
      await client.send(
        new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
      )
    ).Vpcs?.[0]?.VpcId ?? '';

  it('is created once and reused; the same SSH range twice is one rule', async () => {
    const client = ec2();
    const vpcId = await defaultVpc(client);
    const ssh = parseSshCidr('203.0.113.7/32');

    const first = await ensureOwnGroup(
      client,
      { vpcId, name: 'tickops-downloader', existing: undefined, ssh },
      { region },
    );
    const existing = await findOwnGroup(client, vpcId, { region });
    const second = await ensureOwnGroup(
      client,
      { vpcId, name: 'tickops-downloader', existing, ssh },
      { region },
    );

    expect(second).toBe(first);
    expect(existing).toEqual({ groupId: first, inbound: ['tcp 22 from 203.0.113.7/32'] });
    const groups = await client.send(new DescribeSecurityGroupsCommand({ GroupIds: [first] }));
    expect(groups.SecurityGroups?.[0]?.IpPermissions).toHaveLength(1);
    expect(groups.SecurityGroups?.[0]?.Tags).toEqual([
      { Key: 'tickops:role', Value: 'downloader' },
    ]);
  });

  it('refuses to reuse the group once someone has opened it to the internet', async () => {
    const client = ec2();
    const vpcId = await defaultVpc(client);
    const { GroupId } = await client.send(
      new CreateSecurityGroupCommand({
        GroupName: 'tickops-downloader',
        Description: 'x',
        VpcId: vpcId,
      }),
    );
    await client.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      }),
    );

    const error = await failure(findOwnGroup(client, vpcId, { region }));

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `security group ${GroupId} (tickops-downloader) allows tcp 22 from 0.0.0.0/0`,
    );
  });
});
