/**
 * The ECS cluster the scheduled shards run in, chosen among the region's ACTIVE clusters:
 * the one named with `--cluster`, or the only one. None, or several and no `--cluster`, is a
 * refusal that lists what was found; tickops creates no cluster.
 */
import { DescribeClustersCommand, ListClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { toTickopsError } from '../aws-errors.js';
import { ConfigError } from '../errors.js';

/** A cluster by name and ARN. */
export interface ClusterChoice {
  readonly name: string;
  readonly arn: string;
}

/** Every ACTIVE cluster of the region. */
export async function discoverClusters(
  ecs: ECSClient,
  endpoint?: string,
): Promise<ClusterChoice[]> {
  try {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListClustersCommand({ nextToken }));
      arns.push(...(page.clusterArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);

    const clusters: ClusterChoice[] = [];
    // DescribeClusters takes at most 100 clusters a call.
    for (let start = 0; start < arns.length; start += 100) {
      const reply = await ecs.send(
        new DescribeClustersCommand({ clusters: arns.slice(start, start + 100) }),
      );
      for (const cluster of reply.clusters ?? []) {
        if (cluster.status !== 'ACTIVE' || !cluster.clusterArn) continue;
        clusters.push({ name: cluster.clusterName ?? '', arn: cluster.clusterArn });
      }
    }
    return clusters;
  } catch (error) {
    throw toTickopsError(error, { action: 'ecs:ListClusters', resource: 'the region', endpoint });
  }
}

/** The cluster to use: the one named, or the only one. */
export function chooseCluster(clusters: readonly ClusterChoice[], wanted?: string): ClusterChoice {
  const names = clusters.map((cluster) => cluster.name).join(', ');
  if (wanted !== undefined) {
    const named = clusters.find((cluster) => cluster.name === wanted || cluster.arn === wanted);
    if (named) return named;
    throw new ConfigError(`--cluster ${wanted}: no such ACTIVE ECS cluster in this region`, {
      hint: clusters.length > 0 ? `the clusters are: ${names}` : 'create an ECS cluster first',
    });
  }

  if (clusters.length === 1) return clusters[0] as ClusterChoice;
  if (clusters.length === 0) {
    throw new ConfigError('no ACTIVE ECS cluster in this region to run the shards in', {
      hint: 'create one (Fargate needs no instances in it); tickops does not',
    });
  }
  throw new ConfigError(`${clusters.length} ECS clusters could run the shards: choose one`, {
    hint: `pass --cluster with one of: ${names}`,
  });
}
