/**
 * Read-only IAM calls, each answering found / missing / denied. A refused Get or List is not
 * an error here: the check reports it as "cannot check" with the permission it needs, so
 * read-only credentials still get a useful report.
 */
import {
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListPolicyVersionsCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { iamFailure, isAccessDenied, isIamError } from './iam-errors.js';
import { parsePolicyDocument, type PolicyDocument } from './policy-json.js';

/** The answer of one read. */
export type Probe<T> =
  | { readonly kind: 'found'; readonly value: T }
  | { readonly kind: 'missing' }
  | { readonly kind: 'denied'; readonly needs: string; readonly resource: string };

/** Run a read, turning NoSuchEntity and AccessDenied into answers. */
async function probe<T>(
  action: string,
  resource: string,
  read: () => Promise<T>,
): Promise<Probe<T>> {
  try {
    return { kind: 'found', value: await read() };
  } catch (error) {
    if (isIamError(error, 'NoSuchEntity')) return { kind: 'missing' };
    if (isAccessDenied(error)) return { kind: 'denied', needs: action, resource };
    throw iamFailure(error, action, resource);
  }
}

/** A managed policy's default version, with its document decoded. */
export interface PolicyState {
  readonly arn: string;
  readonly defaultVersionId: string;
  readonly document: PolicyDocument;
}

/** GetPolicy, then GetPolicyVersion of its default version. */
export async function readPolicy(iam: IAMClient, arn: string): Promise<Probe<PolicyState>> {
  const policy = await probe('iam:GetPolicy', arn, () =>
    iam.send(new GetPolicyCommand({ PolicyArn: arn })),
  );
  if (policy.kind !== 'found') return policy;

  const versionId = policy.value.Policy?.DefaultVersionId ?? 'v1';
  const version = await probe('iam:GetPolicyVersion', arn, () =>
    iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })),
  );
  if (version.kind !== 'found') return version;

  const text = version.value.PolicyVersion?.Document ?? '';
  const document = parsePolicyDocument(text, `${arn} ${versionId}`);

  return { kind: 'found', value: { arn, defaultVersionId: versionId, document } };
}

/** One stored version of a managed policy. */
export interface PolicyVersionInfo {
  readonly versionId: string;
  readonly isDefault: boolean;
  readonly createdAt: number;
}

/** The policy's versions, oldest first (by creation date, then version number). */
export async function listPolicyVersions(
  iam: IAMClient,
  arn: string,
): Promise<Probe<PolicyVersionInfo[]>> {
  // IAM keeps at most five versions, so one page always holds them all.
  const listed = await probe('iam:ListPolicyVersions', arn, () =>
    iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, MaxItems: 100 })),
  );
  if (listed.kind !== 'found') return listed;

  const versions = (listed.value.Versions ?? []).map((version) => ({
    versionId: version.VersionId ?? '',
    isDefault: version.IsDefaultVersion === true,
    createdAt: version.CreateDate?.getTime() ?? 0,
  }));
  const number = (id: string) => Number(id.replace(/^v/, '')) || 0;
  versions.sort((a, b) => a.createdAt - b.createdAt || number(a.versionId) - number(b.versionId));

  return { kind: 'found', value: versions };
}

/** A role and its trust policy. */
export interface RoleState {
  readonly arn: string;
  readonly trust: PolicyDocument;
}

/** GetRole, with the trust policy decoded. */
export async function readRole(iam: IAMClient, roleName: string): Promise<Probe<RoleState>> {
  const role = await probe('iam:GetRole', `role ${roleName}`, () =>
    iam.send(new GetRoleCommand({ RoleName: roleName })),
  );
  if (role.kind !== 'found') return role;

  const text = role.value.Role?.AssumeRolePolicyDocument ?? '';

  return {
    kind: 'found',
    value: {
      arn: role.value.Role?.Arn ?? '',
      trust: parsePolicyDocument(text, `the trust policy of role ${roleName}`),
    },
  };
}

/** The ARNs of the managed policies attached to a role. */
export async function listAttachedPolicyArns(
  iam: IAMClient,
  roleName: string,
): Promise<Probe<string[]>> {
  return probe('iam:ListAttachedRolePolicies', `role ${roleName}`, async () => {
    const arns: string[] = [];
    const pages = paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName });
    for await (const page of pages) {
      for (const policy of page.AttachedPolicies ?? []) {
        if (policy.PolicyArn) arns.push(policy.PolicyArn);
      }
    }

    return arns;
  });
}

/** A role's inline policies, by name, decoded. */
export async function readInlinePolicies(
  iam: IAMClient,
  roleName: string,
): Promise<Probe<{ name: string; document: PolicyDocument }[]>> {
  const names = await probe('iam:ListRolePolicies', `role ${roleName}`, async () => {
    const found: string[] = [];
    for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: roleName })) {
      found.push(...(page.PolicyNames ?? []));
    }

    return found;
  });
  if (names.kind !== 'found') return names;

  const policies: { name: string; document: PolicyDocument }[] = [];
  for (const name of names.value) {
    const policy = await probe('iam:GetRolePolicy', `role ${roleName}`, () =>
      iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })),
    );
    if (policy.kind === 'denied') return policy;
    if (policy.kind === 'missing') continue;
    const text = policy.value.PolicyDocument ?? '';
    policies.push({ name, document: parsePolicyDocument(text, `inline policy ${name}`) });
  }

  return { kind: 'found', value: policies };
}

/** The names of the roles an instance profile holds. */
export async function readInstanceProfile(
  iam: IAMClient,
  name: string,
): Promise<Probe<{ arn: string; roles: string[] }>> {
  const profile = await probe('iam:GetInstanceProfile', `instance profile ${name}`, () =>
    iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })),
  );
  if (profile.kind !== 'found') return profile;

  const roles = (profile.value.InstanceProfile?.Roles ?? []).flatMap((role) =>
    role.RoleName ? [role.RoleName] : [],
  );

  return { kind: 'found', value: { arn: profile.value.InstanceProfile?.Arn ?? '', roles } };
}
