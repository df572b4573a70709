/**
 * `tickops iam apply`: carry out a plan. Every step is safe to repeat: an entity that already
 * exists (a rerun, a partial failure, a plan made without read access) is read and brought to
 * the desired state instead of failing. Progress is reported as typed events.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { silentLogger, type Logger } from '../logger.js';
import type { ConsistencyOptions } from './consistency.js';
import type { IamPlan, PlanStep } from './plan.js';
import { createPolicy, updatePolicy } from './policy-steps.js';
import { addRoleToProfile, createInstanceProfile } from './profile-steps.js';
import { attachPolicy, createRole, updateTrust } from './role-steps.js';
import type { ApplyEvent, StepContext, StepOutcome } from './step-context.js';
import { waitUntilProfileReady } from './wait-ready.js';

export type { ApplyEvent, StepOutcome } from './step-context.js';

/** What applyIam needs besides the client and the plan. */
export interface ApplyOptions {
  readonly onEvent?: (event: ApplyEvent) => void;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  /** Waits for IAM's eventual consistency; tests shorten them. */
  readonly consistency?: Omit<ConsistencyOptions, 'onWait' | 'signal'>;
}

/** What an apply did. */
export interface ApplyResult {
  readonly changed: number;
  readonly unchanged: number;
}

/** Carry out every step of the plan, in order. */
export async function applyIam(
  iam: IAMClient,
  plan: IamPlan,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const logger = options.logger ?? silentLogger;
  const emit = options.onEvent ?? (() => undefined);
  const context: StepContext = {
    iam,
    desired: plan.desired,
    emit,
    created: new Set(),
    retry: (step) => ({
      ...options.consistency,
      signal: options.signal,
      onWait: (wait) => emit({ type: 'waiting', step, ...wait }),
    }),
  };

  let changed = 0;
  for (const [index, step] of plan.steps.entries()) {
    options.signal?.throwIfAborted();
    emit({ type: 'step-started', step, index });
    const outcome = await runStep(context, step);
    logger.info('iam step', { step: step.kind, outcome });
    if (outcome !== 'unchanged') changed += 1;
    emit({ type: 'step-finished', step, outcome });
  }

  const desired = plan.desired;
  if (context.created.has(desired.roleName) || context.created.has('profile')) {
    await waitUntilProfileReady(iam, desired, context.retry('ready'));
  }
  const result = { changed, unchanged: plan.steps.length - changed };
  emit({ type: 'apply-finished', ...result });

  return result;
}

function runStep(context: StepContext, step: PlanStep): Promise<StepOutcome> {
  switch (step.kind) {
    case 'create-policy':
      return createPolicy(context, step);
    case 'update-policy':
      return updatePolicy(context, step.policyArn);
    case 'create-role':
      return createRole(context, step);
    case 'update-trust':
      return updateTrust(context, step.roleName);
    case 'attach-policy':
      return attachPolicy(context, step);
    case 'create-instance-profile':
      return createInstanceProfile(context, step);
    case 'add-role-to-profile':
      return addRoleToProfile(context, step);
  }
}
