/**
 * tickops' own security group: no inbound rules unless the operator asks for SSH from one
 * address range, which may never be the whole internet. Outbound stays open (EC2's default
 * rule) because the job pulls its image and reaches S3 and the market-data source. The group
 * is found by name in the VPC and reused, so a second launch does not create another.
 */
import { isIPv4, isIPv6 } from 'node:net';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { ConfigError } from '../errors.js';
import { errorCode, toEc2Error } from './ec2-errors.js';
import { ignoreEvents, type Ec2EventHandler } from './events.js';
import { machineName, machineTag } from './machine.js';

/** An SSH source range the operator gave, checked. */
export interface SshSource {
  readonly cidr: string;
  readonly family: 'ipv4' | 'ipv6';
}

/** Check `--ssh-cidr`: a CIDR block, never one covering every address. */
export function parseSshCidr(text: string): SshSource {
  const [address = '', prefix, extra] = text.trim().split('/');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  const bits = Number(prefix);
  const max = family === 'ipv4' ? 32 : 128;
  if (
    family === undefined ||
    extra !== undefined ||
    !/^\d{1,3}$/.test(prefix ?? '') ||
    bits > max
  ) {
    throw new ConfigError(
      `--ssh-cidr: expected an address range such as 203.0.113.7/32, got '${text}'`,
    );
  }
  if (bits === 0) {
    throw new ConfigError(`--ssh-cidr ${text} would open SSH to the whole internet`, {
      hint: 'give your own address, e.g. --ssh-cidr 203.0.113.7/32',
    });
  }

  return { cidr: `${address}/${bits}`, family };
}

/** The group as it is now, if it exists. */
export interface ExistingGroup {
  readonly groupId: string;
  readonly inbound: readonly string[];
}

/** What the launch will do about the group. */
export interface GroupPlan {
  readonly vpcId: string;
  readonly name: string;
  readonly existing: ExistingGroup | undefined;
  readonly ssh: SshSource | undefined;
}

/** Describe the inbound rules of a group as short text, e.g. `tcp 22 from 203.0.113.7/32`. */
export function describeInbound(permissions: readonly IpPermission[]): string[] {
  return permissions.flatMap((rule) => {
    const ports =
      rule.FromPort === undefined || rule.FromPort === rule.ToPort
        ? String(rule.FromPort ?? 'all')
        : `${rule.FromPort}-${rule.ToPort}`;
    const protocol = rule.IpProtocol === '-1' ? 'all' : rule.IpProtocol;
    const sources = [
      ...(rule.IpRanges ?? []).map((range) => range.CidrIp),
      ...(rule.Ipv6Ranges ?? []).map((range) => range.CidrIpv6),
      ...(rule.UserIdGroupPairs ?? []).map((pair) => pair.GroupId),
      ...(rule.PrefixListIds ?? []).map((list) => list.PrefixListId),
    ];

    return sources.map((source) => `${protocol} ${ports} from ${source}`);
  });
}

/** Look the group up by name in the VPC; refuse one that was opened to everyone since. */
export async function findOwnGroup(
  ec2: EC2Client,
  vpcId: string,
  options: { region: string; signal?: AbortSignal },
): Promise<ExistingGroup | undefined> {
  let group;
  try {
    const reply = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'group-name', Values: [machineName] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
      { abortSignal: options.signal },
    );
    group = reply.SecurityGroups?.[0];
  } catch (error) {
    throw toEc2Error(error, {
      action: 'ec2:DescribeSecurityGroups',
      resource: `${machineName} in ${vpcId}`,
      region: options.region,
    });
  }
  if (!group?.GroupId) return undefined;

  const inbound = describeInbound(group.IpPermissions ?? []);
  const open = inbound.find((rule) => / from (0\.0\.0\.0\/0|::\/0)$/.test(rule));
  if (open !== undefined) {
    throw new ConfigError(`security group ${group.GroupId} (${machineName}) allows ${open}`, {
      hint: 'remove that rule; tickops only allows SSH from the range given with --ssh-cidr',
    });
  }

  return { groupId: group.GroupId, inbound };
}

/** Create the group if needed and add the SSH rule if asked; returns the group id. */
export async function ensureOwnGroup(
  ec2: EC2Client,
  plan: GroupPlan,
  options: { region: string; onEvent?: Ec2EventHandler; signal?: AbortSignal },
): Promise<string> {
  const onEvent = options.onEvent ?? ignoreEvents;
  const context = { region: options.region, resource: `${plan.name} in ${plan.vpcId}` };
  const send = { abortSignal: options.signal };

  let groupId = plan.existing?.groupId;
  if (groupId === undefined) {
    try {
      const reply = await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: plan.name,
          Description: 'tickops downloader: no inbound except SSH from the operator range',
          VpcId: plan.vpcId,
          TagSpecifications: [
            {
              ResourceType: 'security-group',
              Tags: [{ Key: machineTag.key, Value: machineTag.value }],
            },
          ],
        }),
        send,
      );
      groupId = reply.GroupId ?? '';
      onEvent({ type: 'security-group-created', groupId, vpcId: plan.vpcId });
    } catch (error) {
      throw toEc2Error(error, { action: 'ec2:CreateSecurityGroup', ...context });
    }
  }

  if (plan.ssh !== undefined) await allowSsh(ec2, groupId, plan.ssh, { ...options, onEvent });

  return groupId;
}

async function allowSsh(
  ec2: EC2Client,
  groupId: string,
  ssh: SshSource,
  options: { region: string; onEvent: Ec2EventHandler; signal?: AbortSignal },
): Promise<void> {
  const description = 'SSH for the tickops operator';
  const permission: IpPermission = {
    IpProtocol: 'tcp',
    FromPort: 22,
    ToPort: 22,
    ...(ssh.family === 'ipv4'
      ? { IpRanges: [{ CidrIp: ssh.cidr, Description: description }] }
      : { Ipv6Ranges: [{ CidrIpv6: ssh.cidr, Description: description }] }),
  };

  try {
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }),
      { abortSignal: options.signal },
    );
    options.onEvent({ type: 'ssh-rule-added', groupId, cidr: ssh.cidr });
  } catch (error) {
    // Reusing the group of an earlier launch with the same range: the rule is there already.
    if (errorCode(error) === 'InvalidPermission.Duplicate') return;
    throw toEc2Error(error, {
      action: 'ec2:AuthorizeSecurityGroupIngress',
      resource: groupId,
      region: options.region,
    });
  }
}
