/**
 * Finding the job queue the shards go to among what the account already has. A Fargate job
 * can only run on a queue whose compute environments are all Fargate (or Fargate Spot), and
 * only an ENABLED, VALID queue takes jobs. With exactly one such queue it is chosen; with none,
 * or several and no `--queue`, the command refuses and lists what it found: tickops creates
 * no compute environment and never picks one at random.
 */
import {
  DescribeComputeEnvironmentsCommand,
  DescribeJobQueuesCommand,
  type BatchClient,
  type ComputeEnvironmentDetail,
  type JobQueueDetail,
} from '@aws-sdk/client-batch';
import { toTickopsError } from '../aws-errors.js';
import { ConfigError } from '../errors.js';

/** A queue and whether Fargate shards can run on it. */
export interface QueueCandidate {
  readonly name: string;
  readonly arn: string;
  readonly computeEnvironments: readonly string[];
  /** Why the shards cannot use it; undefined when they can. */
  readonly unusable: string | undefined;
}

/** Every queue of the region, with its compute environments judged. */
export async function discoverQueues(
  batch: BatchClient,
  endpoint?: string,
): Promise<QueueCandidate[]> {
  const queues = await pages(endpoint, 'batch:DescribeJobQueues', async (nextToken) => {
    const reply = await batch.send(new DescribeJobQueuesCommand({ nextToken }));
    return { items: reply.jobQueues ?? [], nextToken: reply.nextToken };
  });
  const environments = await pages(
    endpoint,
    'batch:DescribeComputeEnvironments',
    async (nextToken) => {
      const reply = await batch.send(new DescribeComputeEnvironmentsCommand({ nextToken }));
      return { items: reply.computeEnvironments ?? [], nextToken: reply.nextToken };
    },
  );

  return queues.map((queue) => judgeQueue(queue, environments));
}

/** The queue to use: the one named, or the only usable one. */
export function chooseQueue(candidates: readonly QueueCandidate[], wanted?: string) {
  const usable = candidates.filter((queue) => queue.unusable === undefined);
  const listing = candidates
    .map((queue) => `${queue.name}${queue.unusable ? ` (${queue.unusable})` : ''}`)
    .join(', ');

  if (wanted !== undefined) {
    const named = candidates.find((queue) => queue.name === wanted || queue.arn === wanted);
    if (!named) {
      throw new ConfigError(`--queue ${wanted}: no such job queue in this region`, {
        hint: candidates.length > 0 ? `the queues are: ${listing}` : 'create a Fargate job queue',
      });
    }
    if (named.unusable) {
      throw new ConfigError(`job queue ${named.name} cannot run the shards: ${named.unusable}`, {
        hint: 'use a queue whose compute environments are Fargate, enabled and valid',
      });
    }
    return named;
  }

  if (usable.length === 1) return usable[0] as QueueCandidate;
  if (usable.length === 0) {
    throw new ConfigError('no AWS Batch job queue here can run Fargate shards', {
      hint:
        candidates.length > 0
          ? `the queues are: ${listing}; create a Fargate compute environment and queue`
          : 'create a Fargate compute environment and a job queue on it (tickops does not)',
    });
  }
  throw new ConfigError(`${usable.length} job queues could run the shards: choose one`, {
    hint: `pass --queue with one of: ${usable.map((queue) => queue.name).join(', ')}`,
  });
}

function judgeQueue(
  queue: JobQueueDetail,
  environments: readonly ComputeEnvironmentDetail[],
): QueueCandidate {
  const order = [...(queue.computeEnvironmentOrder ?? [])].sort(
    (a, b) => (a.order ?? 0) - (b.order ?? 0),
  );
  const attached = order.map((item) =>
    environments.find(
      (environment) =>
        environment.computeEnvironmentArn === item.computeEnvironment ||
        environment.computeEnvironmentName === item.computeEnvironment,
    ),
  );
  const names = attached.map(
    (environment, index) => environment?.computeEnvironmentName ?? order[index]?.computeEnvironment,
  );

  return {
    name: queue.jobQueueName ?? '',
    arn: queue.jobQueueArn ?? '',
    computeEnvironments: names.filter((name): name is string => name !== undefined),
    unusable: whyUnusable(queue, attached),
  };
}

function whyUnusable(
  queue: JobQueueDetail,
  attached: readonly (ComputeEnvironmentDetail | undefined)[],
): string | undefined {
  if (queue.state !== 'ENABLED') return `queue is ${queue.state ?? 'not enabled'}`;
  if (queue.status !== undefined && queue.status !== 'VALID') return `queue is ${queue.status}`;
  if (attached.length === 0) return 'no compute environment';
  for (const environment of attached) {
    if (!environment) return 'a compute environment cannot be described';
    const name = environment.computeEnvironmentName;
    const type = environment.computeResources?.type;
    if (type !== 'FARGATE' && type !== 'FARGATE_SPOT') return `${name} is ${type ?? 'unmanaged'}`;
    if (environment.state !== 'ENABLED') return `${name} is ${environment.state}`;
    if (environment.status !== undefined && environment.status !== 'VALID') {
      return `${name} is ${environment.status}`;
    }
  }

  return undefined;
}

async function pages<T>(
  endpoint: string | undefined,
  action: string,
  fetchPage: (token: string | undefined) => Promise<{ items: T[]; nextToken?: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await fetchPage(token);
      items.push(...page.items);
      token = page.nextToken;
    } while (token);
  } catch (error) {
    throw toTickopsError(error, { action, resource: 'the region', endpoint });
  }

  return items;
}
