/**
 * Is the job definition in place, and registering it when it is not. The latest ACTIVE
 * revision is compared with the rendered request on the fields we set; only a difference
 * registers a new revision, so `tickops batch apply` run twice changes nothing the second time.
 */
import {
  DescribeJobDefinitionsCommand,
  RegisterJobDefinitionCommand,
  type BatchClient,
  type JobDefinition,
  type RegisterJobDefinitionCommandInput,
} from '@aws-sdk/client-batch';
import { toTickopsError } from '../aws-errors.js';
import { byName, differingFields } from './definition-diff.js';

/** How the registered definition compares with the desired one. */
export interface JobDefinitionState {
  readonly name: string;
  /** The latest ACTIVE revision, if any. */
  readonly current: { readonly arn: string; readonly revision: number } | undefined;
  /** Fields that differ; empty when in place. */
  readonly differences: readonly string[];
}

/** Compare the latest ACTIVE revision with the request. */
export async function checkJobDefinition(
  batch: BatchClient,
  desired: RegisterJobDefinitionCommandInput,
  endpoint?: string,
): Promise<JobDefinitionState> {
  const name = desired.jobDefinitionName ?? '';
  const latest = await latestActive(batch, name, endpoint);
  if (!latest?.jobDefinitionArn) return { name, current: undefined, differences: ['(none)'] };

  const differences = differingFields(normalize(desired), normalize(latest));

  return {
    name,
    current: { arn: latest.jobDefinitionArn, revision: latest.revision ?? 0 },
    differences,
  };
}

/** Register a new revision; resolves with its ARN and number. */
export async function registerJobDefinition(
  batch: BatchClient,
  desired: RegisterJobDefinitionCommandInput,
  endpoint?: string,
): Promise<{ arn: string; revision: number }> {
  try {
    const reply = await batch.send(new RegisterJobDefinitionCommand(desired));
    return { arn: reply.jobDefinitionArn ?? '', revision: reply.revision ?? 0 };
  } catch (error) {
    throw toTickopsError(error, {
      action: 'batch:RegisterJobDefinition',
      resource: `job definition ${desired.jobDefinitionName}`,
      endpoint,
    });
  }
}

/** The newest ACTIVE revision of a job definition, across pages. */
export async function latestActive(
  batch: BatchClient,
  name: string,
  endpoint?: string,
): Promise<JobDefinition | undefined> {
  const found: JobDefinition[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const reply = await batch.send(
        new DescribeJobDefinitionsCommand({ jobDefinitionName: name, status: 'ACTIVE', nextToken }),
      );
      found.push(...(reply.jobDefinitions ?? []));
      nextToken = reply.nextToken;
    } while (nextToken);
  } catch (error) {
    throw toTickopsError(error, {
      action: 'batch:DescribeJobDefinitions',
      resource: `job definition ${name}`,
      endpoint,
    });
  }

  return found
    .filter((definition) => definition.status === undefined || definition.status === 'ACTIVE')
    .sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
}

/**
 * The comparable shape: environment in name order, retry actions in capitals (Batch takes them
 * in any case, and moto hands them back in lower case).
 */
function normalize(definition: RegisterJobDefinitionCommandInput | JobDefinition) {
  const container = definition.containerProperties;
  const retry = definition.retryStrategy;

  return {
    type: definition.type,
    platformCapabilities: definition.platformCapabilities,
    containerProperties: container && {
      ...container,
      environment: byName(container.environment),
      resourceRequirements: [...(container.resourceRequirements ?? [])].sort((a, b) =>
        (a.type ?? '') < (b.type ?? '') ? -1 : 1,
      ),
    },
    retryStrategy: retry && {
      attempts: retry.attempts,
      evaluateOnExit: retry.evaluateOnExit?.map((item) => ({
        ...item,
        action: item.action?.toUpperCase() as typeof item.action,
      })),
    },
    timeout: definition.timeout,
  };
}
