/**
 * Settling a launch without creating anything: the duplicate guard, the network (B15), the
 * image, the security group, the root volume and the user data. Any problem stops here,
 * before a group or an instance exists.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { AwsResourceError, ConfigError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { ignoreEvents, type Ec2EventHandler } from './events.js';
import { findMachines } from './find-machine.js';
import { machineTags, type LaunchPlan, type LaunchRequest } from './launch-plan.js';
import { isLive, machineName, machineTag } from './machine.js';
import { architectureOf, resolveMachineImage } from './machine-image.js';
import { resolveNetwork } from './network.js';
import { findOwnGroup, parseSshCidr } from './security-group.js';

/** Where and with what to plan. */
export interface PlanContext {
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly region: string;
  readonly endpoint?: string;
  /** The container image, for the tags. */
  readonly containerImage: string;
  /** The rendered user-data script. */
  readonly userData: string;
  readonly onEvent?: Ec2EventHandler;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** Build the plan, or throw the first problem found. */
export async function planLaunch(
  context: PlanContext,
  request: LaunchRequest,
): Promise<LaunchPlan> {
  const { ec2, region, signal } = context;
  const onEvent = context.onEvent ?? ignoreEvents;
  checkRequest(request);
  const ssh = request.sshCidr === undefined ? undefined : parseSshCidr(request.sshCidr);

  onEvent({
    type: 'step',
    message: `looking for a machine tagged ${machineTag.key}=${machineTag.value}`,
  });
  const existing = await liveMachineIds(context);
  if (existing.length > 0 && !request.allowSecond) throw duplicateLaunch(existing, region);

  onEvent({ type: 'step', message: 'checking the VPC, subnet and security groups' });
  const network = await resolveNetwork(ec2, {
    region,
    subnetId: request.subnetId,
    securityGroupIds: request.securityGroupIds,
    endpoint: context.endpoint,
    signal,
  });
  const useOwnGroup = network.securityGroupIds.length === 0;
  const ownGroup = useOwnGroup
    ? {
        vpcId: network.vpcId,
        name: machineName,
        ssh,
        existing: await findOwnGroup(ec2, network.vpcId, { region, signal }),
      }
    : undefined;

  onEvent({ type: 'step', message: 'finding the current Amazon Linux 2023 image' });
  const image = await resolveMachineImage(context.ssm, ec2, {
    architecture: architectureOf(request.instanceType),
    imageId: request.imageId,
    region,
    onEvent,
    signal,
  });

  (context.logger ?? silentLogger).debug('launch plan settled', {
    imageId: image.imageId,
    foundBy: image.foundBy,
    vpcId: network.vpcId,
    subnetId: network.subnetId,
  });
  const warnings = [...network.warnings];
  if (ssh !== undefined && request.keyName === undefined) {
    warnings.push('no --key-name: SSH logins need EC2 Instance Connect (included in Amazon Linux)');
  }

  return {
    region,
    instanceType: request.instanceType,
    instanceProfile: request.instanceProfile,
    keyName: request.keyName,
    image,
    network,
    ownGroup,
    rootVolume: {
      deviceName: image.rootDeviceName,
      sizeGiB: Math.max(request.volumeGiB, image.rootSnapshotGiB ?? 0),
    },
    tags: machineTags(context.containerImage),
    userData: context.userData,
    userDataBytes: Buffer.byteLength(context.userData, 'utf8'),
    existing,
    warnings,
  };
}

/** Ids of live machines with the tag (pending, running, stopping, stopped). */
export async function liveMachineIds(
  context: Pick<PlanContext, 'ec2' | 'region' | 'endpoint' | 'signal'>,
): Promise<string[]> {
  const machines = await findMachines(context.ec2, context);

  return machines.filter(isLive).map((machine) => machine.instanceId);
}

/** The error the duplicate-launch guard raises. */
export function duplicateLaunch(existing: readonly string[], region: string): AwsResourceError {
  return new AwsResourceError(
    `a machine tagged ${machineTag.key}=${machineTag.value} already exists in ${region}: ` +
      existing.join(', '),
    { hint: 'use tickops ec2 start/status on it, terminate it first, or pass --allow-second' },
  );
}

function checkRequest(request: LaunchRequest): void {
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(request.instanceType)) {
    throw new ConfigError(`--instance-type: '${request.instanceType}' is not an instance type`, {
      hint: 'e.g. t3.micro or t3.small',
    });
  }
  if (!Number.isInteger(request.volumeGiB) || request.volumeGiB < 8 || request.volumeGiB > 1024) {
    throw new ConfigError(`--volume-size: expected GiB from 8 to 1024, got ${request.volumeGiB}`);
  }
  if (request.sshCidr !== undefined && (request.securityGroupIds ?? []).length > 0) {
    throw new ConfigError('--ssh-cidr only applies to the security group tickops creates', {
      hint: 'with --security-group, add the SSH rule to your own group',
    });
  }
}
