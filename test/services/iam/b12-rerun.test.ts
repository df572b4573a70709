import { afterEach, describe, expect, it } from 'vitest';
import { applyIam, type ApplyEvent } from '../../../src/services/iam/apply.js';
import { checkIam } from '../../../src/services/iam/check.js';
import { desiredIam } from '../../../src/services/iam/desired.js';
import { planFromScratch, planIam } from '../../../src/services/iam/plan.js';
import { leastPrivilegeS3UploadPolicy } from '../../../src/services/iam/policy-documents.js';
import { trustPolicy } from '../../../src/services/iam/trust-policy.js';
import { failure } from '../../support/failure.js';
import { startFakeIam, type FakeIam, type FakeIamState } from './fake-iam.js';

const account = '111122223333';
const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};
const desired = desiredIam({
  accountId: account,
  partition: 'aws',
  bucket: 'tickops-data',
  layout,
  flavour: 'least-privilege',
  ecs: false,
});
const fast = { delaysMs: [1, 1, 1], sleep: async () => undefined };
const changing = /^(Create|Delete|Attach|Add|Update|Put|Remove|Detach)/;

let fake: FakeIam | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Case B12's account: five versions of s3_upload for the old bucket, role and profile made. */
function seedB12(state: FakeIamState): void {
  const oldDocument = JSON.stringify(leastPrivilegeS3UploadPolicy('tickops-old', layout));
  const dates = ['2024-01-02', '2024-02-01', '2024-03-01', '2024-04-01', '2024-05-01'];
  state.policies.set('s3_upload', {
    arn: desired.policyArn,
    versions: dates.map((date, index) => ({
      id: `v${index + 1}`,
      document: oldDocument,
      isDefault: index === 4,
      created: new Date(`${date}T00:00:00Z`),
    })),
    next: 6,
  });
  state.roles.set('DataProcessor', {
    arn: `arn:aws:iam::${account}:role/DataProcessor`,
    trust: JSON.stringify(trustPolicy({ ecs: false })),
    attached: new Set([desired.policyArn]),
  });
  state.profiles.set('DataProcessor', {
    arn: `arn:aws:iam::${account}:instance-profile/DataProcessor`,
    roles: ['DataProcessor'],
  });
}

describe('applyIam on a rerun (case B12)', () => {
  it('reads what exists, replaces the oldest non-default version, never the default', async () => {
    fake = await startFakeIam(account, seedB12);
    const events: ApplyEvent[] = [];

    await applyIam(fake.client, planFromScratch(desired), {
      onEvent: (event) => events.push(event),
      consistency: fast,
    });

    const policy = fake.state.policies.get('s3_upload');
    expect(policy?.versions.map((version) => version.id)).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);
    expect(policy?.versions.find((version) => version.isDefault)?.id).toBe('v6');
    expect(JSON.parse(policy?.versions[4]?.document ?? '{}')).toEqual(desired.policyDocument);
    expect(fake.actions.filter((action) => action === 'DeletePolicyVersion')).toHaveLength(1);
    expect(fake.actions.indexOf('DeletePolicyVersion')).toBeLessThan(
      fake.actions.indexOf('CreatePolicyVersion'),
    );
    expect(fake.actions).not.toContain('AddRoleToInstanceProfile');
    expect(fake.actions).not.toContain('UpdateAssumeRolePolicy');
    expect(events.filter((event) => event.type === 'already-exists')).toHaveLength(3);
    expect(events).toContainEqual({
      type: 'version-deleted',
      policyArn: desired.policyArn,
      versionId: 'v1',
    });
    expect(fake.state.profiles.get('DataProcessor')?.roles).toEqual(['DataProcessor']);
  });

  it('makes zero create or delete calls when the product runs a second time', async () => {
    fake = await startFakeIam(account, seedB12);
    await applyIam(fake.client, planFromScratch(desired), { consistency: fast });
    fake.actions.length = 0;

    const check = await checkIam(fake.client, desired);
    const plan = planIam(check);
    await applyIam(fake.client, plan, { consistency: fast });

    expect(check.verdict).toBe('in-place');
    expect(plan.steps).toEqual([]);
    expect(fake.actions.filter((action) => changing.test(action))).toEqual([]);
  });

  it('creates no version when the default equals the desired document as parsed JSON', async () => {
    fake = await startFakeIam(account, (state) => {
      seedB12(state);
      const policy = state.policies.get('s3_upload');
      const reordered = {
        Statement: [...(desired.policyDocument.Statement as object[])].reverse(),
        Version: '2012-10-17',
      };
      if (policy?.versions[4]) policy.versions[4].document = JSON.stringify(reordered, null, 4);
    });

    await applyIam(fake.client, planFromScratch(desired), { consistency: fast });

    expect(fake.actions).not.toContain('CreatePolicyVersion');
    expect(fake.actions).not.toContain('DeletePolicyVersion');
    expect(fake.state.policies.get('s3_upload')?.versions).toHaveLength(5);
  });

  it('plans the deletion of the oldest non-default version when the check sees five', async () => {
    fake = await startFakeIam(account, seedB12);

    const check = await checkIam(fake.client, desired);
    const plan = planIam(check);

    expect(check.pieces.policy.state).toBe('drifted');
    expect(plan.steps).toEqual([
      expect.objectContaining({ kind: 'update-policy', deleteVersionId: 'v1' }),
    ]);
    expect(check.pieces.policy.diff?.changes).toContainEqual({
      kind: 'resource-unexpected',
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::tickops-old/raw/*',
    });
  });

  it('fixes a trust policy that does not name ec2.amazonaws.com', async () => {
    fake = await startFakeIam(account, (state) => {
      seedB12(state);
      const role = state.roles.get('DataProcessor');
      if (role) role.trust = JSON.stringify(trustPolicy({ ecs: false })).replace('ec2', 'lambda');
    });

    await applyIam(fake.client, planFromScratch(desired), { consistency: fast });

    const trust = JSON.parse(fake.state.roles.get('DataProcessor')?.trust ?? '{}');
    expect(trust).toEqual(desired.trustDocument);
    expect(fake.actions.filter((action) => action === 'UpdateAssumeRolePolicy')).toHaveLength(1);
  });
});

describe('applyIam and IAM eventual consistency', () => {
  it('waits and retries while a just-created role is not yet visible, and says so', async () => {
    fake = await startFakeIam(account, (state) => {
      state.lag.set('AttachRolePolicy', 2);
      state.lag.set('AddRoleToInstanceProfile', 1);
    });
    const events: ApplyEvent[] = [];

    await applyIam(fake.client, planFromScratch(desired), {
      onEvent: (event) => events.push(event),
      consistency: fast,
    });

    const waits = events.filter((event) => event.type === 'waiting');
    expect(waits.map((event) => event.step)).toEqual([
      'attach-policy',
      'attach-policy',
      'add-role-to-profile',
    ]);
    expect(waits[0]).toMatchObject({ attempt: 1, maxAttempts: 4 });
    expect(waits[0]?.reason).toMatch(/IAM has not caught up yet/);
    expect(fake.state.roles.get('DataProcessor')?.attached.has(desired.policyArn)).toBe(true);
    expect(fake.state.profiles.get('DataProcessor')?.roles).toEqual(['DataProcessor']);
  });

  it('gives up after the bounded retries with the action and resource named', async () => {
    fake = await startFakeIam(account, (state) => state.lag.set('AttachRolePolicy', 10));

    const error = await failure(
      applyIam(fake.client, planFromScratch(desired), { consistency: fast }),
    );

    expect(String(error)).toMatch(/iam:AttachRolePolicy on role DataProcessor/);
    expect(fake.actions.filter((action) => action === 'AttachRolePolicy')).toHaveLength(4);
  });

  it('does not wait for a role that was not created by this apply', async () => {
    fake = await startFakeIam(account);
    const plan = planFromScratch(desired);
    const attachOnly = {
      ...plan,
      steps: plan.steps.filter((step) => step.kind === 'attach-policy'),
    };

    const error = await failure(applyIam(fake.client, attachOnly, { consistency: fast }));

    expect(String(error)).toMatch(/NoSuchEntity/);
    expect(fake.actions).toEqual(['AttachRolePolicy']);
  });
});
