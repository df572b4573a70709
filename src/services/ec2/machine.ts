/**
 * "The machine": the EC2 instance that runs the daily job, recognised by its tag and nothing
 * else, described in tickops' own small type rather than the SDK's.
 */
import type { Instance } from '@aws-sdk/client-ec2';

/** The tag that marks the machine; launch sets it, every other command looks for it. */
export const machineTag = { key: 'tickops:role', value: 'downloader' } as const;

/** The Name tag and security group name tickops gives what it creates. */
export const machineName = 'tickops-downloader';

/** EC2 instance states. */
export type MachineState =
  'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

/** Instance metadata service settings, as the instance reports them. */
export interface MetadataSettings {
  readonly httpTokens: string | undefined;
  readonly hopLimit: number | undefined;
  readonly httpEndpoint: string | undefined;
}

/** One instance, in the terms the commands and the screen show. */
export interface Machine {
  readonly instanceId: string;
  readonly name: string | undefined;
  readonly state: MachineState | undefined;
  readonly stateReason: string | undefined;
  readonly instanceType: string | undefined;
  readonly imageId: string | undefined;
  /** ISO-8601. */
  readonly launchTime: string | undefined;
  readonly availabilityZone: string | undefined;
  readonly publicIp: string | undefined;
  readonly publicDns: string | undefined;
  readonly privateIp: string | undefined;
  readonly vpcId: string | undefined;
  readonly subnetId: string | undefined;
  readonly securityGroupIds: readonly string[];
  readonly instanceProfileArn: string | undefined;
  readonly metadata: MetadataSettings | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

/** States in which an instance still counts as the machine (it can be started again). */
export const liveStates: readonly MachineState[] = ['pending', 'running', 'stopping', 'stopped'];

/** Does this instance still count as a machine for the duplicate-launch guard? */
export function isLive(machine: Machine): boolean {
  return machine.state !== undefined && liveStates.includes(machine.state);
}

/** Map an SDK instance to a Machine. */
export function toMachine(instance: Instance): Machine {
  const tags: Record<string, string> = {};
  for (const tag of instance.Tags ?? []) {
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  }
  const options = instance.MetadataOptions;

  return {
    instanceId: instance.InstanceId ?? '',
    name: tags.Name,
    state: instance.State?.Name as MachineState | undefined,
    stateReason: instance.StateReason?.Message || instance.StateTransitionReason || undefined,
    instanceType: instance.InstanceType,
    imageId: instance.ImageId,
    launchTime: instance.LaunchTime?.toISOString(),
    availabilityZone: instance.Placement?.AvailabilityZone,
    publicIp: instance.PublicIpAddress,
    publicDns: instance.PublicDnsName || undefined,
    privateIp: instance.PrivateIpAddress,
    vpcId: instance.VpcId,
    subnetId: instance.SubnetId,
    securityGroupIds: (instance.SecurityGroups ?? []).flatMap((group) =>
      group.GroupId ? [group.GroupId] : [],
    ),
    instanceProfileArn: instance.IamInstanceProfile?.Arn,
    metadata: options && {
      httpTokens: options.HttpTokens,
      hopLimit: options.HttpPutResponseHopLimit,
      httpEndpoint: options.HttpEndpoint,
    },
    tags,
  };
}
