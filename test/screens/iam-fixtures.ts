/**
 * A fake IAM account for the IAM screen and the setup wizard. Its check is what checkIam
 * would report, built from the real pure pieces (desiredIam, diffPolicies, evaluateAccess);
 * its plan is the real planIam; its apply emits the events applyIam emits, the waits for
 * IAM's eventual consistency coming from the real withConsistencyRetry, and a refused step
 * fails with the real iamFailure. The bucket probe uses the real suggestBucketName, and the
 * config file is written by the real writeConfigFile.
 */
import type { KeyLayout } from '../../src/services/config.js';
import type { IamCheck, PieceReport, PieceState } from '../../src/services/iam/check.js';
import type { DesiredIam } from '../../src/services/iam/desired.js';
import { evaluateAccess } from '../../src/services/iam/evaluate.js';
import type { PlanStep } from '../../src/services/iam/plan.js';
import { diffPolicies } from '../../src/services/iam/policy-diff.js';
import type { PolicyDocument } from '../../src/services/iam/policy-json.js';
import type { BucketProbe } from '../../src/services/setup.js';
import type { IamWanted } from '../../src/screens/console-services.js';
import { changes } from '../../src/screens/iam-lines.js';

/** The fake account's IAM and S3, which tests seed and inspect. */
export interface FakeAccount {
  policy: PolicyDocument | undefined;
  /** GetPolicy is refused: the policy piece (and access) cannot be checked. */
  policyReadDenied: boolean;
  role: boolean;
  attached: boolean;
  profile: 'missing' | 'empty' | 'holds-role';
  /** How each bucket probes; absent means missing. */
  buckets: Map<string, BucketProbe>;
  /** Apply is refused at this step, as IAM refuses a user without the permission. */
  denyStep: PlanStep['kind'] | undefined;
  /** NoSuchEntity answers an attach or add gives after a create, before IAM catches up. */
  lag: number;
  /** The next check (or identity) fails with this. */
  failNext: Error | undefined;
  /** Every check asked for, and its signal. */
  readonly checks: { wanted: IamWanted; signal: AbortSignal }[];
}

/** An empty account: nothing of tickops' IAM exists yet. */
export function emptyAccount(overrides: Partial<FakeAccount> = {}): FakeAccount {
  return {
    policy: undefined,
    policyReadDenied: false,
    role: false,
    attached: false,
    profile: 'missing',
    buckets: new Map(),
    denyStep: undefined,
    lag: 0,
    failNext: undefined,
    checks: [],
    ...overrides,
  };
}

/** s3_upload widened by hand to every S3 action on everything. */
export const widenedPolicy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
};

/** The account the fake credentials belong to. */
export const fakeAccountId = '111122223333';

/** The default key layout. */
export const defaultLayout: KeyLayout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};

function report(piece: PieceReport['piece'], state: PieceState, resource: string, detail: string) {
  return { piece, state, resource, detail };
}

/** What checkIam reports for this account and desired state. */
export function checkOf(account: FakeAccount, desired: DesiredIam): IamCheck {
  const arn = desired.policyArn;
  const role = `role ${desired.roleName}`;
  const diff = account.policy ? diffPolicies(account.policy, desired.policyDocument) : undefined;
  const policy = account.policyReadDenied
    ? {
        ...report('policy', 'cannot-check', arn, `cannot check: needs iam:GetPolicy on ${arn}`),
        needs: 'iam:GetPolicy',
      }
    : !account.policy || !diff
      ? report('policy', 'missing', arn, 'no such policy')
      : {
          ...(diff.same
            ? report('policy', 'present', arn, 'default version v1 as desired')
            : report(
                'policy',
                'drifted',
                arn,
                `default version v2 differs: ${changes(diff.changes.length)}`,
              )),
          actual: account.policy,
          defaultVersionId: diff.same ? 'v1' : 'v2',
          diff,
        };
  const rolePiece = account.role
    ? report('role', 'present', role, `arn:aws:iam::${fakeAccountId}:role/DataProcessor`)
    : report('role', 'missing', role, 'no such role');
  const trust = account.role
    ? report('trust', 'present', `trust policy of ${role}`, 'trusts ec2.amazonaws.com')
    : report('trust', 'missing', `trust policy of ${role}`, 'the role is missing');
  const onRole = `s3_upload on ${role}`;
  const attachment = !account.role
    ? report('attachment', 'missing', onRole, 'the role is missing')
    : report(
        'attachment',
        account.attached ? 'present' : 'missing',
        onRole,
        account.attached ? 'attached' : 'not attached',
      );
  const profileName = 'instance profile DataProcessor';
  const instanceProfile =
    account.profile === 'missing'
      ? report('instance-profile', 'missing', profileName, 'no such instance profile')
      : account.profile === 'empty'
        ? { ...report('instance-profile', 'drifted', profileName, 'holds no role'), roles: [] }
        : {
            ...report('instance-profile', 'present', profileName, 'holds DataProcessor'),
            roles: ['DataProcessor'],
          };

  const pieces = { policy, role: rolePiece, trust, attachment, instanceProfile };
  const access = accessOf(account, desired);
  const states = Object.values(pieces).map((piece) => piece.state);
  const verdict =
    states.includes('cannot-check') || access.state === 'cannot-check'
      ? 'cannot-check'
      : states.some((state) => state !== 'present') || access.state === 'not-granted'
        ? 'needs-changes'
        : 'in-place';

  return { desired, pieces, access, verdict };
}

function accessOf(account: FakeAccount, desired: DesiredIam): IamCheck['access'] {
  if (!account.role) return { state: 'not-evaluated', detail: 'the role is missing', results: [] };
  if (account.policyReadDenied && account.attached) {
    const needs = `iam:GetPolicy on ${desired.policyArn}`;
    return { state: 'cannot-check', detail: `cannot check: needs ${needs}`, results: [], needs };
  }
  const policies =
    account.attached && account.policy ? [{ name: 's3_upload', document: account.policy }] : [];
  const results = evaluateAccess(policies, desired.needs);
  const refused = results.filter((result) => result.decision !== 'allowed');
  if (refused.length === 0) {
    return {
      state: 'granted',
      detail: `grants all ${results.length} calls the run makes`,
      results,
    };
  }

  return {
    state: 'not-granted',
    detail: `${refused.length} of ${results.length} calls not granted`,
    results,
  };
}
