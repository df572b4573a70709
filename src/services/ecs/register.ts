/**
 * Is the task definition in place, and registering it when not: the family's latest ACTIVE
 * revision is compared with the rendered request on the fields we set, as for Batch.
 */
import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { sdkErrorParts, toTickopsError } from '../aws-errors.js';
import { byName, differingFields } from '../batch/definition-diff.js';

/** How the registered task definition compares with the desired one. */
export interface TaskDefinitionState {
  readonly family: string;
  readonly current: { readonly arn: string; readonly revision: number } | undefined;
  readonly differences: readonly string[];
}

/** Compare the family's latest ACTIVE revision with the request. */
export async function checkTaskDefinition(
  ecs: ECSClient,
  desired: RegisterTaskDefinitionCommandInput,
  endpoint?: string,
): Promise<TaskDefinitionState> {
  const family = desired.family ?? '';
  const latest = await latestTaskDefinition(ecs, family, endpoint);
  if (!latest?.taskDefinitionArn) return { family, current: undefined, differences: ['(none)'] };

  return {
    family,
    current: { arn: latest.taskDefinitionArn, revision: latest.revision ?? 0 },
    differences: differingFields(normalize(desired), normalize(latest)),
  };
}

/** Register a new revision. */
export async function registerTaskDefinition(
  ecs: ECSClient,
  desired: RegisterTaskDefinitionCommandInput,
  endpoint?: string,
): Promise<{ arn: string; revision: number }> {
  try {
    const reply = await ecs.send(new RegisterTaskDefinitionCommand(desired));
    const definition = reply.taskDefinition;
    return { arn: definition?.taskDefinitionArn ?? '', revision: definition?.revision ?? 0 };
  } catch (error) {
    throw toTickopsError(error, {
      action: 'ecs:RegisterTaskDefinition',
      resource: `task definition ${desired.family}`,
      endpoint,
    });
  }
}

async function latestTaskDefinition(
  ecs: ECSClient,
  family: string,
  endpoint?: string,
): Promise<TaskDefinition | undefined> {
  try {
    const reply = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
    return reply.taskDefinition;
  } catch (error) {
    // AWS answers a family it has never seen with ClientException; moto has its own name.
    const { name } = sdkErrorParts(error);
    if (name === 'ClientException' || name === 'TaskDefinitionNotFoundException') return undefined;
    throw toTickopsError(error, {
      action: 'ecs:DescribeTaskDefinition',
      resource: `task definition ${family}`,
      endpoint,
    });
  }
}

function normalize(definition: RegisterTaskDefinitionCommandInput | TaskDefinition) {
  return {
    ...definition,
    containerDefinitions: definition.containerDefinitions?.map((container) => ({
      ...container,
      environment: byName(container.environment),
    })),
  };
}
