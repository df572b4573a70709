/** The apply steps for the DataProcessor role: create it, fix its trust, attach s3_upload. */
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { withConsistencyRetry } from './consistency.js';
import { iamFailure } from './iam-errors.js';
import type { PlanStep } from './plan.js';
import { readRole } from './read.js';
import { createOrFind, type StepContext, type StepOutcome } from './step-context.js';
import { servicesTrusted } from './trust-policy.js';

/** CreateRole; when it exists already, check its trust policy and fix it if needed. */
export async function createRole(
  context: StepContext,
  step: Extract<PlanStep, { kind: 'create-role' }>,
): Promise<StepOutcome> {
  const command = new CreateRoleCommand({
    RoleName: step.roleName,
    AssumeRolePolicyDocument: JSON.stringify(step.trust),
    Description: 'Runs tickops --run-today on EC2 (managed by tickops iam apply)',
  });
  const made = await createOrFind(context, step, `role ${step.roleName}`, 'iam:CreateRole', () =>
    context.iam.send(command),
  );
  if (made) {
    context.created.add(step.roleName);
    return 'created';
  }

  const role = await readRole(context.iam, step.roleName);
  if (role.kind !== 'found') return updateTrust(context, step.roleName);
  const trusted = servicesTrusted(role.value.trust, context.desired.trustedServices);

  return trusted.length === context.desired.trustedServices.length
    ? 'unchanged'
    : updateTrust(context, step.roleName);
}

/** Replace the role's trust policy with the desired one. */
export async function updateTrust(context: StepContext, roleName: string): Promise<StepOutcome> {
  const command = new UpdateAssumeRolePolicyCommand({
    RoleName: roleName,
    PolicyDocument: JSON.stringify(context.desired.trustDocument),
  });
  try {
    await context.iam.send(command);
  } catch (error) {
    throw iamFailure(error, 'iam:UpdateAssumeRolePolicy', `role ${roleName}`);
  }

  return 'updated';
}

/** Attach s3_upload to the role, waiting for IAM when either was just created. */
export async function attachPolicy(
  context: StepContext,
  step: Extract<PlanStep, { kind: 'attach-policy' }>,
): Promise<StepOutcome> {
  const fresh =
    context.created.has(step.roleName) || context.created.has(context.desired.policyName);
  const command = new AttachRolePolicyCommand({
    RoleName: step.roleName,
    PolicyArn: step.policyArn,
  });
  try {
    // Attaching an attached policy is harmless on IAM, so a rerun needs no read first.
    await withConsistencyRetry(
      () => context.iam.send(command),
      fresh,
      `role ${step.roleName} or policy ${context.desired.policyName} was just created`,
      context.retry(step.kind),
    );
  } catch (error) {
    throw iamFailure(error, 'iam:AttachRolePolicy', `role ${step.roleName}`);
  }

  return 'updated';
}
