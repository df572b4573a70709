/** The apply steps for the s3_upload policy: create it, or bring its default version up to date. */
import { CreatePolicyCommand } from '@aws-sdk/client-iam';
import type { PlanStep } from './plan.js';
import { updatePolicyDocument } from './policy-versions.js';
import { createOrFind, type StepContext, type StepOutcome } from './step-context.js';

/** CreatePolicy; when it exists already, bring its default version to the desired document. */
export async function createPolicy(
  context: StepContext,
  step: Extract<PlanStep, { kind: 'create-policy' }>,
): Promise<StepOutcome> {
  const { desired } = context;
  const command = new CreatePolicyCommand({
    PolicyName: step.policyName,
    PolicyDocument: JSON.stringify(step.document),
    Description: 'What tickops --run-today needs on its bucket (managed by tickops iam apply)',
  });
  const made = await createOrFind(context, step, desired.policyArn, 'iam:CreatePolicy', () =>
    context.iam.send(command),
  );
  if (made) {
    context.created.add(desired.policyName);
    return 'created';
  }

  return updatePolicy(context, desired.policyArn);
}

/** Make the desired document the default version, unless it already is. */
export async function updatePolicy(context: StepContext, arn: string): Promise<StepOutcome> {
  const update = await updatePolicyDocument(context.iam, arn, context.desired.policyDocument, {
    onDeleted: (versionId) => context.emit({ type: 'version-deleted', policyArn: arn, versionId }),
  });
  if (update.outcome === 'updated') {
    context.emit({ type: 'version-created', policyArn: arn, versionId: update.versionId });
  }

  return update.outcome;
}
