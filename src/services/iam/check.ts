/**
 * `tickops iam check`: is each piece of the desired IAM state present, missing or drifted?
 * Read-only calls only. A refused read makes that piece "cannot check" with the permission it
 * needs, never "missing": absence can only be known from a NoSuchEntity answer.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { silentLogger, type Logger } from '../logger.js';
import type { DesiredIam } from './desired.js';
import { checkAccess, type AccessReport } from './check-access.js';
import { diffPolicies, type PolicyDiff } from './policy-diff.js';
import type { PolicyDocument } from './policy-json.js';
import {
  listAttachedPolicyArns,
  listPolicyVersions,
  readInstanceProfile,
  readPolicy,
  readRole,
  type PolicyVersionInfo,
  type Probe,
} from './read.js';
import { servicesTrusted } from './trust-policy.js';

/** How one piece stands. */
export type PieceState = 'present' | 'missing' | 'drifted' | 'cannot-check';

/** The pieces, in the order they are reported and put in place. */
export type PieceName = 'policy' | 'role' | 'trust' | 'attachment' | 'instance-profile';

/** One piece's state, with a line saying why. */
export interface PieceReport {
  readonly piece: PieceName;
  readonly state: PieceState;
  readonly resource: string;
  readonly detail: string;
  /** The permission a "cannot check" piece needs. */
  readonly needs?: string;
}

/** The policy piece, with the document IAM holds and how it differs. */
export interface PolicyPieceReport extends PieceReport {
  readonly actual?: PolicyDocument;
  readonly defaultVersionId?: string;
  readonly diff?: PolicyDiff;
  /** Known when the policy drifted: its versions, oldest first. */
  readonly versions?: readonly PolicyVersionInfo[];
}

export type { AccessReport } from './check-access.js';

/** The verdict a check ends with. */
export type CheckVerdict = 'in-place' | 'needs-changes' | 'cannot-check';

/** Everything `tickops iam check` found. */
export interface IamCheck {
  readonly desired: DesiredIam;
  readonly pieces: {
    readonly policy: PolicyPieceReport;
    readonly role: PieceReport;
    readonly trust: PieceReport;
    readonly attachment: PieceReport;
    readonly instanceProfile: PieceReport & { readonly roles?: readonly string[] };
  };
  readonly access: AccessReport;
  readonly verdict: CheckVerdict;
}

function cannotCheck(piece: PieceName, resource: string, denied: { needs: string }): PieceReport {
  return {
    piece,
    state: 'cannot-check',
    resource,
    needs: denied.needs,
    detail: `cannot check: needs ${denied.needs} on ${resource}`,
  };
}

function piece(piece: PieceName, state: PieceState, resource: string, detail: string) {
  return { piece, state, resource, detail };
}

/** Check every piece of the desired state. */
export async function checkIam(
  iam: IAMClient,
  desired: DesiredIam,
  options: { logger?: Logger } = {},
): Promise<IamCheck> {
  const logger = options.logger ?? silentLogger;
  const policy = await checkPolicy(iam, desired);

  const role = await readRole(iam, desired.roleName);
  const roleResource = `role ${desired.roleName}`;
  const rolePiece =
    role.kind === 'found'
      ? piece('role', 'present', roleResource, role.value.arn)
      : role.kind === 'missing'
        ? piece('role', 'missing', roleResource, 'no such role')
        : cannotCheck('role', roleResource, role);

  const trust = checkTrust(desired, role);
  const attached =
    role.kind === 'found' ? await listAttachedPolicyArns(iam, desired.roleName) : role;
  const attachment = checkAttachment(desired, attached);
  const instanceProfile = await checkInstanceProfile(iam, desired);
  const access = await checkAccess(iam, desired, policy.actual, attached);

  const pieces = { policy, role: rolePiece, trust, attachment, instanceProfile };
  const verdict = verdictOf(Object.values(pieces), access);
  logger.debug('iam check', { verdict, policy: policy.state, role: rolePiece.state });

  return { desired, pieces, access, verdict };
}

async function checkPolicy(iam: IAMClient, desired: DesiredIam): Promise<PolicyPieceReport> {
  const arn = desired.policyArn;
  const policy = await readPolicy(iam, arn);
  if (policy.kind === 'denied') return cannotCheck('policy', arn, policy);
  if (policy.kind === 'missing') return piece('policy', 'missing', arn, 'no such policy');

  const { document, defaultVersionId } = policy.value;
  const diff = diffPolicies(document, desired.policyDocument);
  if (diff.same) {
    return {
      ...piece('policy', 'present', arn, `default version ${defaultVersionId} as desired`),
      actual: document,
      defaultVersionId,
      diff,
    };
  }

  // The versions decide what apply must delete first; without the permission the plan
  // just says it may have to.
  const versions = await listPolicyVersions(iam, arn);
  const count = diff.changes.length;

  return {
    ...piece(
      'policy',
      'drifted',
      arn,
      `default version ${defaultVersionId} differs: ${count} change${count === 1 ? '' : 's'}`,
    ),
    actual: document,
    defaultVersionId,
    diff,
    ...(versions.kind === 'found' ? { versions: versions.value } : {}),
  };
}

function checkTrust(desired: DesiredIam, role: Probe<{ trust: PolicyDocument }>): PieceReport {
  const resource = `trust policy of role ${desired.roleName}`;
  if (role.kind === 'denied') return cannotCheck('trust', resource, role);
  if (role.kind === 'missing') return piece('trust', 'missing', resource, 'the role is missing');

  const trusted = servicesTrusted(role.value.trust, desired.trustedServices);
  const lacking = desired.trustedServices.filter((service) => !trusted.includes(service));
  if (lacking.length === 0) {
    return piece('trust', 'present', resource, `trusts ${trusted.join(', ')}`);
  }

  return piece('trust', 'drifted', resource, `does not let ${lacking.join(', ')} assume it`);
}

function checkAttachment(desired: DesiredIam, attached: Probe<string[]>): PieceReport {
  const resource = `${desired.policyName} on role ${desired.roleName}`;
  if (attached.kind === 'denied') return cannotCheck('attachment', resource, attached);
  if (attached.kind === 'missing') {
    return piece('attachment', 'missing', resource, 'the role is missing');
  }
  if (attached.value.includes(desired.policyArn)) {
    return piece('attachment', 'present', resource, 'attached');
  }

  return piece('attachment', 'missing', resource, 'not attached');
}

async function checkInstanceProfile(iam: IAMClient, desired: DesiredIam) {
  const name = desired.instanceProfileName;
  const resource = `instance profile ${name}`;
  const profile = await readInstanceProfile(iam, name);
  if (profile.kind === 'denied') return cannotCheck('instance-profile', resource, profile);
  if (profile.kind === 'missing') {
    return piece('instance-profile', 'missing', resource, 'no such instance profile');
  }

  const roles = profile.value.roles;
  if (roles.includes(desired.roleName)) {
    return {
      ...piece('instance-profile', 'present', resource, `holds ${desired.roleName}`),
      roles,
    };
  }
  const holds = roles.length === 0 ? 'holds no role' : `holds ${roles.join(', ')} instead`;

  return { ...piece('instance-profile', 'drifted', resource, holds), roles };
}

function verdictOf(pieces: readonly PieceReport[], access: AccessReport): CheckVerdict {
  if (pieces.some((item) => item.state === 'cannot-check') || access.state === 'cannot-check') {
    return 'cannot-check';
  }
  const unsettled = pieces.some((item) => item.state === 'missing' || item.state === 'drifted');

  return unsettled || access.state === 'not-granted' ? 'needs-changes' : 'in-place';
}
