/** The apply steps for the DataProcessor instance profile: create it and put the role in it. */
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand } from '@aws-sdk/client-iam';
import { AwsResourceError } from '../errors.js';
import { withConsistencyRetry } from './consistency.js';
import { iamFailure, isIamError } from './iam-errors.js';
import type { PlanStep } from './plan.js';
import { readInstanceProfile } from './read.js';
import { createOrFind, type StepContext, type StepOutcome } from './step-context.js';

/** CreateInstanceProfile; one that exists already is fine. */
export async function createInstanceProfile(
  context: StepContext,
  step: Extract<PlanStep, { kind: 'create-instance-profile' }>,
): Promise<StepOutcome> {
  const command = new CreateInstanceProfileCommand({ InstanceProfileName: step.profileName });
  const entity = `instance profile ${step.profileName}`;
  const made = await createOrFind(context, step, entity, 'iam:CreateInstanceProfile', () =>
    context.iam.send(command),
  );
  if (made) context.created.add('profile');

  return made ? 'created' : 'unchanged';
}

/** Put the role in the profile unless it is there already (a profile holds one role). */
export async function addRoleToProfile(
  context: StepContext,
  step: Extract<PlanStep, { kind: 'add-role-to-profile' }>,
): Promise<StepOutcome> {
  const entity = `instance profile ${step.profileName}`;
  // A profile holds one role: adding it again fails with LimitExceeded, so look first.
  const before = await readInstanceProfile(context.iam, step.profileName);
  if (before.kind === 'found' && before.value.roles.includes(step.roleName)) return 'unchanged';
  if (before.kind === 'found' && before.value.roles.length > 0)
    throw heldByOther(step, before.value.roles);

  const fresh = context.created.has(step.roleName) || context.created.has('profile');
  const command = new AddRoleToInstanceProfileCommand({
    InstanceProfileName: step.profileName,
    RoleName: step.roleName,
  });
  try {
    await withConsistencyRetry(
      () => context.iam.send(command),
      fresh,
      `role ${step.roleName} or ${entity} was just created`,
      context.retry(step.kind),
    );
  } catch (error) {
    if (!isIamError(error, 'LimitExceeded'))
      throw iamFailure(error, 'iam:AddRoleToInstanceProfile', entity);
    const after = await readInstanceProfile(context.iam, step.profileName);
    if (after.kind === 'found' && after.value.roles.includes(step.roleName)) return 'unchanged';
    throw heldByOther(step, after.kind === 'found' ? after.value.roles : ['another role']);
  }

  return 'updated';
}

function heldByOther(
  step: Extract<PlanStep, { kind: 'add-role-to-profile' }>,
  roles: readonly string[],
): AwsResourceError {
  return new AwsResourceError(
    `instance profile ${step.profileName} already holds ${roles.join(', ')}, not ${step.roleName}`,
    {
      hint:
        'a profile holds one role: remove that role from it by hand (aws iam ' +
        'remove-role-from-instance-profile) if nothing uses it, then apply again',
    },
  );
}
