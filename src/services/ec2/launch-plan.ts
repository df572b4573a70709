/**
 * The launch plan: everything RunInstances will be given, settled and checked before anything
 * is created, so the operator sees it first. Turning a plan into the request is pure.
 */
import type { RunInstancesCommandInput, TagSpecification } from '@aws-sdk/client-ec2';
import type { MachineImage } from './machine-image.js';
import { machineName, machineTag } from './machine.js';
import type { NetworkChoice } from './network.js';
import type { GroupPlan } from './security-group.js';

/** What the operator asked for, beyond the config. */
export interface LaunchRequest {
  readonly instanceType: string;
  readonly instanceProfile: string;
  readonly volumeGiB: number;
  readonly keyName?: string;
  readonly sshCidr?: string;
  readonly subnetId?: string;
  readonly securityGroupIds?: readonly string[];
  /** An AMI id; without it the current Amazon Linux 2023 is used. */
  readonly imageId?: string;
  /** Launch although a machine with the tag exists. */
  readonly allowSecond?: boolean;
}

/** Defaults for the request's machine settings. */
export const launchDefaults = {
  instanceType: 't3.micro',
  instanceProfile: 'DataProcessor',
  volumeGiB: 16,
} as const;

/** Everything a launch will do, for showing and then for carrying out. */
export interface LaunchPlan {
  readonly region: string;
  readonly instanceType: string;
  readonly instanceProfile: string;
  readonly keyName: string | undefined;
  readonly image: MachineImage;
  readonly network: NetworkChoice;
  /** Undefined when the operator's own groups are used. */
  readonly ownGroup: GroupPlan | undefined;
  readonly rootVolume: { readonly deviceName: string; readonly sizeGiB: number };
  readonly tags: Readonly<Record<string, string>>;
  /** The rendered script, before base64. */
  readonly userData: string;
  readonly userDataBytes: number;
  /** Live machines with the tag that the launch goes ahead beside (only with allowSecond). */
  readonly existing: readonly string[];
  readonly warnings: readonly string[];
}

/** The tags of the instance and its volume. */
export function machineTags(image: string): Record<string, string> {
  return { Name: machineName, [machineTag.key]: machineTag.value, 'tickops:image': image };
}

/**
 * The RunInstances request of a plan: IMDSv2 only, with a hop limit of 2 so that a container
 * behind Docker's bridge (one hop more) still reaches the role's credentials; an encrypted
 * gp3 root volume removed with the instance; the instance profile; groups by id only.
 */
export function runInstancesInput(
  plan: LaunchPlan,
  groupIds: readonly string[],
  userDataBase64: string,
  clientToken: string,
): RunInstancesCommandInput {
  const tags = Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value }));
  const tagSpecifications: TagSpecification[] = [
    { ResourceType: 'instance', Tags: tags },
    { ResourceType: 'volume', Tags: tags },
  ];

  return {
    ImageId: plan.image.imageId,
    InstanceType: plan.instanceType as RunInstancesCommandInput['InstanceType'],
    MinCount: 1,
    MaxCount: 1,
    ClientToken: clientToken,
    IamInstanceProfile: { Name: plan.instanceProfile },
    MetadataOptions: {
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 2,
      HttpEndpoint: 'enabled',
    },
    BlockDeviceMappings: [
      {
        DeviceName: plan.rootVolume.deviceName,
        Ebs: {
          VolumeType: 'gp3',
          VolumeSize: plan.rootVolume.sizeGiB,
          Encrypted: true,
          DeleteOnTermination: true,
        },
      },
    ],
    ...(plan.network.subnetId === undefined ? {} : { SubnetId: plan.network.subnetId }),
    SecurityGroupIds: [...groupIds],
    ...(plan.keyName === undefined ? {} : { KeyName: plan.keyName }),
    UserData: userDataBase64,
    TagSpecifications: tagSpecifications,
  };
}
