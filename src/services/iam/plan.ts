/**
 * What `tickops iam apply` would change, worked out from a check. Pure: the plan is shown and
 * confirmed before anything is called. A piece that could not be checked is planned as if
 * missing; apply then treats "already exists" as the answer it could not read.
 */
import type { IamCheck } from './check.js';
import type { DesiredIam } from './desired.js';
import { formatPolicyChange, type PolicyChange } from './policy-diff.js';
import type { PolicyDocument } from './policy-json.js';
import type { PolicyVersionInfo } from './read.js';

/** IAM keeps at most this many versions of a managed policy. */
export const maxPolicyVersions = 5;

/** One change apply makes. */
export type PlanStep =
  | {
      readonly kind: 'create-policy';
      readonly policyName: string;
      readonly document: PolicyDocument;
    }
  | {
      readonly kind: 'update-policy';
      readonly policyArn: string;
      readonly document: PolicyDocument;
      readonly changes: readonly PolicyChange[];
      /** The version that will be deleted first to stay within the limit, when known. */
      readonly deleteVersionId: string | undefined;
    }
  | { readonly kind: 'create-role'; readonly roleName: string; readonly trust: PolicyDocument }
  | { readonly kind: 'update-trust'; readonly roleName: string; readonly trust: PolicyDocument }
  | { readonly kind: 'attach-policy'; readonly roleName: string; readonly policyArn: string }
  | { readonly kind: 'create-instance-profile'; readonly profileName: string }
  | {
      readonly kind: 'add-role-to-profile';
      readonly profileName: string;
      readonly roleName: string;
    };

/** The plan: steps in order, and what apply will not do for the operator. */
export interface IamPlan {
  readonly desired: DesiredIam;
  readonly steps: readonly PlanStep[];
  readonly manual: readonly string[];
}

/** The oldest version that may be deleted: never the default. */
export function oldestDeletableVersion(
  versions: readonly PolicyVersionInfo[],
): PolicyVersionInfo | undefined {
  return versions.find((version) => !version.isDefault);
}

/** The steps that create everything, for a first run or when nothing could be read. */
export function planFromScratch(desired: DesiredIam): IamPlan {
  return {
    desired,
    steps: [
      { kind: 'create-policy', policyName: desired.policyName, document: desired.policyDocument },
      { kind: 'create-role', roleName: desired.roleName, trust: desired.trustDocument },
      { kind: 'attach-policy', roleName: desired.roleName, policyArn: desired.policyArn },
      { kind: 'create-instance-profile', profileName: desired.instanceProfileName },
      {
        kind: 'add-role-to-profile',
        profileName: desired.instanceProfileName,
        roleName: desired.roleName,
      },
    ],
    manual: [],
  };
}

/** Work out the steps that bring the checked state to the desired one. */
export function planIam(check: IamCheck): IamPlan {
  const { desired, pieces } = check;
  const scratch = planFromScratch(desired).steps;
  const stepOf = (kind: PlanStep['kind']) => scratch.filter((step) => step.kind === kind);
  const steps: PlanStep[] = [];
  const manual: string[] = [];
  const absent = (state: string) => state === 'missing' || state === 'cannot-check';

  const policy = pieces.policy;
  if (absent(policy.state)) steps.push(...stepOf('create-policy'));
  if (policy.state === 'drifted') {
    const atLimit = (policy.versions?.length ?? 0) >= maxPolicyVersions;
    steps.push({
      kind: 'update-policy',
      policyArn: desired.policyArn,
      document: desired.policyDocument,
      changes: policy.diff?.changes ?? [],
      deleteVersionId: atLimit
        ? oldestDeletableVersion(policy.versions ?? [])?.versionId
        : undefined,
    });
  }

  if (absent(pieces.role.state)) steps.push(...stepOf('create-role'));
  else if (pieces.trust.state === 'drifted') {
    steps.push({ kind: 'update-trust', roleName: desired.roleName, trust: desired.trustDocument });
  }
  if (absent(pieces.attachment.state)) steps.push(...stepOf('attach-policy'));

  const profile = pieces.instanceProfile;
  if (absent(profile.state)) {
    steps.push(...stepOf('create-instance-profile'), ...stepOf('add-role-to-profile'));
  } else if (profile.state === 'drifted' && (profile.roles ?? []).length === 0) {
    steps.push(...stepOf('add-role-to-profile'));
  } else if (profile.state === 'drifted') {
    manual.push(
      `instance profile ${desired.instanceProfileName} holds ${profile.roles?.join(', ')}; a ` +
        'profile holds one role, so remove that one by hand if nothing uses it',
    );
  }

  for (const result of check.access.results) {
    if (result.decision !== 'explicit-deny' && result.decision !== 'conditional') continue;
    if (result.decidedBy?.startsWith(`${desired.policyName}#`)) continue;
    const verb = result.decision === 'explicit-deny' ? 'denies' : 'puts a condition on';
    manual.push(
      `${result.decidedBy} ${verb} ` +
        `${result.action} on ${result.resource}; tickops does not edit other policies`,
    );
  }

  return { desired, steps, manual: [...new Set(manual)] };
}

/** One line per step, for the terminal and the IAM screen. */
export function describeStep(step: PlanStep): string[] {
  switch (step.kind) {
    case 'create-policy':
      return [`create policy ${step.policyName}`];
    case 'update-policy':
      return [
        `new default version of ${step.policyArn}` +
          (step.deleteVersionId
            ? `, after deleting its oldest non-default version ${step.deleteVersionId} ` +
              `(IAM keeps ${maxPolicyVersions})`
            : ''),
        ...step.changes.map((change) => `    ${formatPolicyChange(change)}`),
      ];
    case 'create-role':
      return [`create role ${step.roleName} trusting ${trustedBy(step.trust)}`];
    case 'update-trust':
      return [`replace the trust policy of role ${step.roleName}: trust ${trustedBy(step.trust)}`];
    case 'attach-policy':
      return [`attach ${step.policyArn} to role ${step.roleName}`];
    case 'create-instance-profile':
      return [`create instance profile ${step.profileName}`];
    case 'add-role-to-profile':
      return [`add role ${step.roleName} to instance profile ${step.profileName}`];
  }
}

function trustedBy(trust: PolicyDocument): string {
  const statements = Array.isArray(trust.Statement) ? trust.Statement : [trust.Statement];
  const services = statements.flatMap((statement: { Principal?: unknown }) => {
    const service = (statement.Principal as { Service?: string | string[] } | undefined)?.Service;
    return service === undefined ? [] : ([] as string[]).concat(service);
  });

  return services.join(' and ');
}
