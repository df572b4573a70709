/**
 * What every apply step shares: the client, the desired state, the event sink, the entities
 * created so far (only those are waited for when IAM has not caught up), and the event types.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { ConsistencyOptions } from './consistency.js';
import type { DesiredIam } from './desired.js';
import { iamFailure, isIamError } from './iam-errors.js';
import type { PlanStep } from './plan.js';

/** How a step ended. */
export type StepOutcome = 'created' | 'updated' | 'unchanged';

/** Progress of an apply. */
export type ApplyEvent =
  | { readonly type: 'step-started'; readonly step: PlanStep; readonly index: number }
  | { readonly type: 'already-exists'; readonly step: PlanStep; readonly entity: string }
  | { readonly type: 'version-deleted'; readonly policyArn: string; readonly versionId: string }
  | { readonly type: 'version-created'; readonly policyArn: string; readonly versionId: string }
  | {
      readonly type: 'waiting';
      readonly step: PlanStep['kind'] | 'ready';
      readonly attempt: number;
      readonly maxAttempts: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | { readonly type: 'step-finished'; readonly step: PlanStep; readonly outcome: StepOutcome }
  | { readonly type: 'apply-finished'; readonly changed: number; readonly unchanged: number };

/** The state one apply's steps share. */
export interface StepContext {
  readonly iam: IAMClient;
  readonly desired: DesiredIam;
  readonly emit: (event: ApplyEvent) => void;
  readonly created: Set<string>;
  readonly retry: (step: PlanStep['kind'] | 'ready') => ConsistencyOptions;
}

/** Call IAM; EntityAlreadyExists becomes `false`, any other failure an operator error. */
export async function createOrFind(
  context: StepContext,
  step: PlanStep,
  entity: string,
  action: string,
  call: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (!isIamError(error, 'EntityAlreadyExists')) throw iamFailure(error, action, entity);
    context.emit({ type: 'already-exists', step, entity });
    return false;
  }
}
