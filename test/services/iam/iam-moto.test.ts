import {
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  GetPolicyCommand,
  IAMClient,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
import { beforeEach, expect, it } from 'vitest';
import { applyIam, type ApplyEvent } from '../../../src/services/iam/apply.js';
import { checkIam } from '../../../src/services/iam/check.js';
import { desiredIam } from '../../../src/services/iam/desired.js';
import { planFromScratch, planIam } from '../../../src/services/iam/plan.js';
import { trustPolicy } from '../../../src/services/iam/trust-policy.js';
import { describeWithMoto, motoRootCredentials } from '../../support/moto.js';

const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};
const target = { accountId: '123456789012', partition: 'aws', bucket: 'tickops-data', layout };
const desired = desiredIam({ ...target, flavour: 'least-privilege', ecs: false });
const widened = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
});
const changing = /^(Create|Delete|Attach|Add|Update|Put|Remove|Detach)/;

describeWithMoto('the IAM service against moto', (getMoto) => {
  let iam: IAMClient;
  let calls: string[];

  beforeEach(async () => {
    await getMoto().reset();
    iam = new IAMClient({
      endpoint: getMoto().endpoint,
      region: 'us-east-1',
      credentials: motoRootCredentials,
    });
    calls = [];
    iam.middlewareStack.add(
      (next, context) => (args) => {
        calls.push(String(context.commandName).replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize' },
    );
  });

  async function converge(wanted = desired, events: ApplyEvent[] = []) {
    const plan = planIam(await checkIam(iam, wanted));
    await applyIam(iam, plan, { onEvent: (event) => events.push(event) });

    return plan;
  }

  async function createByHand() {
    const policy = await iam.send(
      new CreatePolicyCommand({ PolicyName: 's3_upload', PolicyDocument: widened }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'DataProcessor',
        AssumeRolePolicyDocument: JSON.stringify(trustPolicy({ ecs: false })),
      }),
    );
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: 'DataProcessor', PolicyArn: policy.Policy?.Arn }),
    );
  }

  it('creates every piece from scratch, and the check then finds them in place', async () => {
    const before = await checkIam(iam, desired);

    const plan = await converge();
    const after = await checkIam(iam, desired);

    expect(Object.values(before.pieces).map((piece) => piece.state)).toEqual(
      Array(5).fill('missing'),
    );
    expect(plan.steps.map((step) => step.kind)).toEqual(
      planFromScratch(desired).steps.map((step) => step.kind),
    );
    expect(after.verdict).toBe('in-place');
    expect(after.access.state).toBe('granted');
  });

  it('makes zero create or delete calls on a rerun (B12)', async () => {
    await converge();
    calls.length = 0;

    const plan = await converge();

    expect(plan.steps).toEqual([]);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((call) => changing.test(call))).toEqual([]);
  });

  it('detects a hand-widened policy and fixes it with a new default version', async () => {
    await converge();
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: desired.policyArn,
        PolicyDocument: widened,
        SetAsDefault: true,
      }),
    );

    const drifted = await checkIam(iam, desired);
    await converge();
    const fixed = await checkIam(iam, desired);

    expect(drifted.verdict).toBe('needs-changes');
    expect(drifted.pieces.policy.state).toBe('drifted');
    expect(drifted.pieces.policy.diff?.changes).toContainEqual({
      kind: 'action-added',
      action: 's3:*',
      resources: ['*'],
    });
    expect(fixed.verdict).toBe('in-place');
    expect(fixed.pieces.policy.defaultVersionId).toBe('v3');
  });

  it('at the five-version limit deletes the oldest non-default version first', async () => {
    await createByHand();
    for (let count = 0; count < 4; count += 1) {
      await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: desired.policyArn,
          PolicyDocument: widened,
          SetAsDefault: count === 0,
        }),
      );
    }
    const events: ApplyEvent[] = [];

    const plan = await converge(desired, events);

    const listed = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: desired.policyArn }));
    const versions = (listed.Versions ?? []).map((version) => version.VersionId);
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: desired.policyArn }));
    expect(plan.steps[0]).toMatchObject({ kind: 'update-policy', deleteVersionId: 'v1' });
    expect(versions).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);
    expect(policy.Policy?.DefaultVersionId).toBe('v6');
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'version-deleted', versionId: 'v1' }),
    );
    expect((await checkIam(iam, desired)).verdict).toBe('in-place');
  });

  it('adds only the instance profile to a role that has none', async () => {
    await createByHand();
    calls.length = 0;

    const check = await checkIam(iam, desired);
    const plan = await converge();

    expect(check.pieces.role.state).toBe('present');
    expect(check.pieces.instanceProfile.state).toBe('missing');
    expect(plan.steps.map((step) => step.kind)).toEqual([
      'update-policy',
      'create-instance-profile',
      'add-role-to-profile',
    ]);
    expect(calls).not.toContain('CreateRole');
    expect((await checkIam(iam, desired)).verdict).toBe('in-place');
  });

  it('puts the role into an existing empty profile, and trusts ECS when asked', async () => {
    await createByHand();
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'DataProcessor' }));
    const withEcs = desiredIam({ ...target, flavour: 'least-privilege', ecs: true });

    const check = await checkIam(iam, withEcs);
    const plan = await converge(withEcs);

    expect(check.pieces.instanceProfile).toMatchObject({
      state: 'drifted',
      detail: 'holds no role',
    });
    expect(check.pieces.trust.state).toBe('drifted');
    expect(plan.steps.map((step) => step.kind)).toEqual([
      'update-policy',
      'update-trust',
      'add-role-to-profile',
    ]);
    expect((await checkIam(iam, withEcs)).verdict).toBe('in-place');
  });

  it('treats EntityAlreadyExists as done when a from-scratch plan meets everything', async () => {
    await converge();
    calls.length = 0;
    const events: ApplyEvent[] = [];

    await applyIam(iam, planFromScratch(desired), { onEvent: (event) => events.push(event) });

    const existing = events.filter((event) => event.type === 'already-exists');
    expect(existing.map((event) => (event.type === 'already-exists' ? event.entity : ''))).toEqual([
      desired.policyArn,
      'role DataProcessor',
      'instance profile DataProcessor',
    ]);
    expect(calls).not.toContain('CreatePolicyVersion');
    expect(calls).not.toContain('AddRoleToInstanceProfile');
    expect(calls).not.toContain('UpdateAssumeRolePolicy');
  });
});
