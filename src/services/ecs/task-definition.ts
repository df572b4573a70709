/**
 * The ECS task definition of a shard, for operators who schedule containers on ECS rather
 * than Batch: a Fargate task running `--run-today` with the DataProcessor role as its task
 * role. Which shard a task is comes from its schedule (see schedules.ts), not from here.
 */
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { containerName, type ContainerSpec } from '../shard-container.js';

/** The family; the schedules run its latest ACTIVE revision. */
export const taskFamily = 'tickops';

/** What a task definition is made of. */
export interface TaskDefinitionSpec {
  readonly container: ContainerSpec;
  readonly taskRoleArn: string;
  readonly executionRoleArn: string;
  /** CloudWatch Logs group for the container's output; none keeps no logs. */
  readonly logGroup: string | undefined;
  readonly region: string;
}

/** The RegisterTaskDefinition request for a spec. */
export function renderTaskDefinition(spec: TaskDefinitionSpec): RegisterTaskDefinitionCommandInput {
  const { container } = spec;

  return {
    family: taskFamily,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    // Fargate sizes a task in CPU units (1024 to a vCPU) and MiB, given as strings.
    cpu: String(Math.round(container.vcpu * 1024)),
    memory: String(container.memoryMiB),
    taskRoleArn: spec.taskRoleArn,
    executionRoleArn: spec.executionRoleArn,
    containerDefinitions: [
      {
        name: containerName,
        image: container.image,
        essential: true,
        command: ['--run-today'],
        environment: container.environment.map((entry) => ({ ...entry })),
        ...(spec.logGroup
          ? {
              logConfiguration: {
                logDriver: 'awslogs',
                options: {
                  'awslogs-group': spec.logGroup,
                  'awslogs-region': spec.region,
                  'awslogs-stream-prefix': 'tickops',
                },
              },
            }
          : {}),
      },
    ],
  };
}
