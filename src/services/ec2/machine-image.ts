/**
 * The machine image: the current Amazon Linux 2023 AMI of the region, read from the public SSM
 * parameter Amazon keeps up to date. When SSM cannot answer (the parameter is missing in the
 * region, or the credentials lack ssm:GetParameter) the newest matching Amazon-owned image is
 * found with DescribeImages instead. The image is then described for its root device name,
 * which the root volume mapping must use.
 */
import {
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  type EC2Client,
  type Image,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { sdkErrorParts } from '../aws-errors.js';
import { AwsResourceError } from '../errors.js';
import { toEc2Error } from './ec2-errors.js';
import { ignoreEvents, type Ec2EventHandler } from './events.js';

/** CPU architecture of the image and the instance type. */
export type Architecture = 'x86_64' | 'arm64';

/** The public parameter naming the current AL2023 image for an architecture. */
export function amiParameterFor(architecture: Architecture): string {
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
}

/** Graviton types (t4g, m7g, c7gn...) are arm64; everything else tickops launches is x86. */
export function architectureOf(instanceType: string): Architecture {
  return /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType) ? 'arm64' : 'x86_64';
}

/** The image a launch will use, and how it was found. */
export interface MachineImage {
  readonly imageId: string;
  readonly name: string | undefined;
  readonly rootDeviceName: string;
  /** Size of the image's root snapshot; the root volume cannot be smaller. */
  readonly rootSnapshotGiB: number | undefined;
  readonly foundBy: 'ssm-parameter' | 'describe-images' | 'given';
  readonly parameter?: string;
}

/** What resolving needs. */
export interface ImageOptions {
  readonly architecture: Architecture;
  /** An AMI id given by the operator; skips SSM and the search. */
  readonly imageId?: string;
  readonly region: string;
  readonly onEvent?: Ec2EventHandler;
  readonly signal?: AbortSignal;
}

/** Find the image to launch. */
export async function resolveMachineImage(
  ssm: SSMClient,
  ec2: EC2Client,
  options: ImageOptions,
): Promise<MachineImage> {
  if (options.imageId !== undefined) {
    return describeImage(ec2, options.imageId, 'given', options);
  }

  const parameter = amiParameterFor(options.architecture);
  let imageId: string | undefined;
  try {
    const reply = await ssm.send(new GetParameterCommand({ Name: parameter }), {
      abortSignal: options.signal,
    });
    imageId = reply.Parameter?.Value;
  } catch (error) {
    const { name } = sdkErrorParts(error);
    (options.onEvent ?? ignoreEvents)({
      type: 'image-fallback',
      reason: `SSM parameter ${parameter} unavailable (${name}); searching with DescribeImages`,
    });
  }

  if (imageId === undefined) return searchNewestImage(ec2, options);

  return { ...(await describeImage(ec2, imageId, 'ssm-parameter', options)), parameter };
}

async function describeImage(
  ec2: EC2Client,
  imageId: string,
  foundBy: MachineImage['foundBy'],
  options: ImageOptions,
): Promise<MachineImage> {
  const images = await describeImages(ec2, { ImageIds: [imageId] }, imageId, options);
  const image = images[0];
  if (!image) {
    throw new AwsResourceError(`image ${imageId} is not available in ${options.region}`, {
      hint: 'give another with --ami, or leave --ami out to use the current Amazon Linux',
    });
  }

  return toMachineImage(image, foundBy);
}

async function searchNewestImage(ec2: EC2Client, options: ImageOptions): Promise<MachineImage> {
  // `al2023-ami-2023.*` leaves out the minimal images (`al2023-ami-minimal-...`), which lack
  // the tools the user data uses.
  const images = await describeImages(
    ec2,
    {
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: [`al2023-ami-2023.*-${options.architecture}`] },
        { Name: 'architecture', Values: [options.architecture] },
        { Name: 'state', Values: ['available'] },
        { Name: 'root-device-type', Values: ['ebs'] },
      ],
    },
    'Amazon Linux 2023 images',
    options,
  );
  const newest = images.sort((a, b) =>
    (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''),
  )[0];
  if (!newest) {
    throw new AwsResourceError(`no Amazon Linux 2023 image found in ${options.region}`, {
      hint: 'give one with --ami ami-...',
    });
  }

  return toMachineImage(newest, 'describe-images');
}

async function describeImages(
  ec2: EC2Client,
  input: DescribeImagesCommandInput,
  resource: string,
  options: ImageOptions,
): Promise<Image[]> {
  try {
    const reply = await ec2.send(new DescribeImagesCommand(input), { abortSignal: options.signal });
    return reply.Images ?? [];
  } catch (error) {
    throw toEc2Error(error, { action: 'ec2:DescribeImages', resource, region: options.region });
  }
}

function toMachineImage(image: Image, foundBy: MachineImage['foundBy']): MachineImage {
  const rootDeviceName = image.RootDeviceName ?? '/dev/xvda';
  const root = image.BlockDeviceMappings?.find((mapping) => mapping.DeviceName === rootDeviceName);

  return {
    imageId: image.ImageId ?? '',
    name: image.Name,
    rootDeviceName,
    rootSnapshotGiB: root?.Ebs?.VolumeSize,
    foundBy,
  };
}
