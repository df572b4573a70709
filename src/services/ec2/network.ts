/**
 * Where the machine goes (case B15). Launching without a subnet only works in a region that
 * still has a default VPC, and many accounts have deleted theirs; naming security groups
 * only works there too. So the VPC is settled before anything is created: the default VPC and
 * one of its default subnets, or the operator's subnet. Security groups are always passed by
 * id, and a group in another VPC than the subnet is reported here rather than sent to EC2.
 */
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { ConfigError } from '../errors.js';
import { noDefaultVpcError, toEc2Error } from './ec2-errors.js';

/** What the operator asked for. */
export interface NetworkRequest {
  readonly region: string;
  readonly subnetId?: string;
  readonly securityGroupIds?: readonly string[];
  readonly endpoint?: string;
  readonly signal?: AbortSignal;
}

/** Where the machine will be launched. */
export interface NetworkChoice {
  readonly vpcId: string;
  readonly isDefaultVpc: boolean;
  /** Undefined: EC2 picks one of the default VPC's default subnets. */
  readonly subnetId: string | undefined;
  /** The operator's groups, checked to be in `vpcId`; empty means tickops' own group. */
  readonly securityGroupIds: readonly string[];
  /** Whether instances in the subnet(s) get a public IPv4 address. */
  readonly publicIp: boolean;
  readonly warnings: readonly string[];
}

/** Settle the VPC, subnet and groups, or fail before anything is created. */
export async function resolveNetwork(
  ec2: EC2Client,
  request: NetworkRequest,
): Promise<NetworkChoice> {
  const call = <T>(action: string, resource: string, run: () => Promise<T>) =>
    run().catch((error: unknown) => {
      const { region, endpoint } = request;
      throw toEc2Error(error, { action, resource, region, endpoint });
    });
  const send = { abortSignal: request.signal };

  let vpcId: string;
  let isDefaultVpc = false;
  let publicIp: boolean;
  if (request.subnetId !== undefined) {
    const reply = await call('ec2:DescribeSubnets', request.subnetId, () =>
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: [request.subnetId ?? ''] }), send),
    );
    const subnet = reply.Subnets?.[0];
    if (!subnet?.VpcId) throw subnetNotFound(request.subnetId, request.region);
    vpcId = subnet.VpcId;
    publicIp = subnet.MapPublicIpOnLaunch === true;
  } else {
    const reply = await call('ec2:DescribeVpcs', `the default VPC of ${request.region}`, () =>
      ec2.send(
        new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
        send,
      ),
    );
    const vpc = reply.Vpcs?.[0];
    if (!vpc?.VpcId) throw noDefaultVpcError(request.region);
    vpcId = vpc.VpcId;
    isDefaultVpc = true;

    const subnets = await call('ec2:DescribeSubnets', `default subnets of ${vpcId}`, () =>
      ec2.send(
        new DescribeSubnetsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'default-for-az', Values: ['true'] },
          ],
        }),
        send,
      ),
    );
    if ((subnets.Subnets ?? []).length === 0) {
      throw new ConfigError(`the default VPC ${vpcId} in ${request.region} has no default subnet`, {
        hint: 'pass --subnet subnet-... of a subnet to launch in; nothing was created',
      });
    }
    publicIp = (subnets.Subnets ?? []).every((subnet) => subnet.MapPublicIpOnLaunch === true);
  }

  const groupIds = request.securityGroupIds ?? [];
  const groups =
    groupIds.length === 0
      ? []
      : await call('ec2:DescribeSecurityGroups', groupIds.join(', '), () =>
          ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...groupIds] }), send),
        ).then((reply) => reply.SecurityGroups ?? []);
  checkGroupsInVpc(groupIds, groups, vpcId, request.subnetId);

  return {
    vpcId,
    isDefaultVpc,
    subnetId: request.subnetId,
    securityGroupIds: groupIds,
    publicIp,
    warnings: [...networkWarnings(publicIp), ...groups.flatMap(openToWorldWarnings)],
  };
}

function subnetNotFound(subnetId: string, region: string): ConfigError {
  return new ConfigError(`subnet ${subnetId} does not exist in ${region}`, {
    hint: 'check --subnet and --region',
  });
}

function checkGroupsInVpc(
  groupIds: readonly string[],
  groups: readonly SecurityGroup[],
  vpcId: string,
  subnetId: string | undefined,
): void {
  for (const id of groupIds) {
    const group = groups.find((candidate) => candidate.GroupId === id);
    if (group?.VpcId === vpcId) continue;

    const where =
      subnetId === undefined ? `the default VPC ${vpcId}` : `subnet ${subnetId}'s VPC ${vpcId}`;
    throw new ConfigError(
      `security group ${id} is in ${group?.VpcId ?? 'no VPC'}, not in ${where}`,
      { hint: 'pass a --security-group of the same VPC as the subnet; nothing was created' },
    );
  }
}

function networkWarnings(publicIp: boolean): string[] {
  return publicIp
    ? []
    : [
        'the subnet gives no public IPv4 address: the machine needs a NAT gateway or VPC ' +
          'endpoints to reach the image registry, S3 and the market-data source',
      ];
}

function openToWorldWarnings(group: SecurityGroup): string[] {
  const open = (group.IpPermissions ?? []).some(
    (rule) =>
      (rule.IpRanges ?? []).some((range) => range.CidrIp === '0.0.0.0/0') ||
      (rule.Ipv6Ranges ?? []).some((range) => range.CidrIpv6 === '::/0'),
  );

  return open ? [`security group ${group.GroupId} accepts inbound traffic from anywhere`] : [];
}
