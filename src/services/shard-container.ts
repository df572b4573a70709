/**
 * What every cloud shard's container is given, whichever engine runs it (AWS Batch or ECS):
 * the image, the Fargate size, and the job's settings as environment variables, rendered from
 * the validated config. The shard itself is not here: Batch sets AWS_BATCH_JOB_ARRAY_INDEX
 * per child, and each ECS schedule overrides TICKOPS_SHARD.
 */
import type { Config } from './config.js';
import { configKeys } from './config-keys.js';
import { ConfigError } from './errors.js';
import { jobEnvironment } from './job-environment.js';

/** The container's image and size. */
export interface ContainerSpec {
  readonly image: string;
  /** vCPUs, as Fargate sizes them: 0.25, 0.5, 1, 2, 4, 8 or 16. */
  readonly vcpu: number;
  readonly memoryMiB: number;
  /** `NAME=value` pairs, sorted by name. */
  readonly environment: readonly { readonly name: string; readonly value: string }[];
}

/** The container name in the job and task definitions; the schedules override it by name. */
export const containerName = 'tickops';

/** Memory Fargate accepts for each vCPU size, in MiB (AWS Fargate task size table). */
const fargateMemory: ReadonlyMap<number, readonly number[]> = new Map([
  [0.25, [512, 1024, 2048]],
  [0.5, [1024, 2048, 3072, 4096]],
  [1, steps(2048, 8192, 1024)],
  [2, steps(4096, 16384, 1024)],
  [4, steps(8192, 30720, 1024)],
  [8, steps(16384, 61440, 4096)],
  [16, steps(32768, 122880, 8192)],
]);

function steps(from: number, to: number, by: number): number[] {
  return Array.from({ length: (to - from) / by + 1 }, (_, index) => from + index * by);
}

/** Is this a CPU and memory pair Fargate runs? */
export function isFargateSize(vcpu: number, memoryMiB: number): boolean {
  return fargateMemory.get(vcpu)?.includes(memoryMiB) ?? false;
}

/** The settings the container needs from the config, as its environment. */
export function containerEnvironment(
  config: Config,
  tickersInImage: string | undefined,
): { name: string; value: string }[] {
  const layoutDefault = JSON.stringify(configKeys.layout.defaultValue);
  const entries = jobEnvironment(config);
  if (tickersInImage !== undefined) entries.push(['TICKOPS_TICKERS', tickersInImage]);
  const layout = JSON.stringify(config.layout);
  if (layout !== layoutDefault) entries.push(['TICKOPS_LAYOUT', layout]);

  return entries
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Validate the operator's choices and build the spec; throws ConfigError naming the flag. */
export function containerSpecFrom(
  config: Config,
  options: { image?: string; vcpu?: string; memory?: string; tickersInImage?: string },
): ContainerSpec {
  const image = options.image ?? '';
  if (image === '' || image.length > 255 || /[\s"'`$\\]/.test(image)) {
    throw new ConfigError(
      image === '' ? 'the shards need the container image to run' : `--image: '${image}'`,
      { hint: 'pass --image, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/tickops:1.0' },
    );
  }
  if (config.source === 'replay') {
    throw new ConfigError('source replay reads a local folder that a container does not have', {
      hint: 'use --source yahoo (the default), google or simulated',
    });
  }

  const vcpu = Number(options.vcpu ?? '0.5');
  const memoryMiB = Number(options.memory ?? '1024');
  if (!isFargateSize(vcpu, memoryMiB)) {
    throw new ConfigError(`--vcpu ${vcpu} with --memory ${memoryMiB} is not a Fargate size`, {
      hint: 'e.g. 0.25 vCPU with 512 to 2048 MiB, 0.5 with 1024 to 4096, 1 with 2048 to 8192',
    });
  }

  return {
    image,
    vcpu,
    memoryMiB,
    environment: containerEnvironment(config, options.tickersInImage),
  };
}
