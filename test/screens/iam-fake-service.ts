/**
 * The IamService of the screen tests, over a FakeAccount (see iam-fixtures.ts): checks and
 * plans as the real ones report them, and applies that emit applyIam's event sequence at a
 * pace the test sets, change the account, and fail where the account refuses.
 */
import { join } from 'node:path';
import { sleep } from '../../src/services/backoff.js';
import type { KeyLayout } from '../../src/services/config.js';
import type { ApplyEvent, ApplyResult, StepOutcome } from '../../src/services/iam/apply.js';
import { withConsistencyRetry } from '../../src/services/iam/consistency.js';
import { desiredIam } from '../../src/services/iam/desired.js';
import { iamFailure } from '../../src/services/iam/iam-errors.js';
import { planIam, type IamPlan, type PlanStep } from '../../src/services/iam/plan.js';
import { suggestBucketName, writeConfigFile, type SetupEvent } from '../../src/services/setup.js';
import type { IamService, IamWanted } from '../../src/screens/console-services.js';
import { checkOf, fakeAccountId, type FakeAccount } from './iam-fixtures.js';

const actions: Record<PlanStep['kind'], string> = {
  'create-policy': 'iam:CreatePolicy',
  'update-policy': 'iam:CreatePolicyVersion',
  'create-role': 'iam:CreateRole',
  'update-trust': 'iam:UpdateAssumeRolePolicy',
  'attach-policy': 'iam:AttachRolePolicy',
  'create-instance-profile': 'iam:CreateInstanceProfile',
  'add-role-to-profile': 'iam:AddRoleToInstanceProfile',
};

/** What the fake service is built from. */
export interface FakeIamOptions {
  readonly bucket?: string;
  readonly region?: string;
  readonly layout: KeyLayout;
  /** Where the wizard's config file goes. */
  readonly folder: string;
  /** Milliseconds between apply events, so a test can watch them arrive. */
  readonly paceMs?: number;
}

function wantedDesired(bucket: string, layout: KeyLayout, wanted: IamWanted) {
  return desiredIam({ accountId: fakeAccountId, partition: 'aws', bucket, layout, ...wanted });
}

function takeFailure(account: FakeAccount): void {
  const failure = account.failNext;
  account.failNext = undefined;
  if (failure) throw failure;
}

/** A refusal as the SDK reports it, turned into tickops' error by the real iamFailure. */
function refused(step: PlanStep) {
  const error = Object.assign(new Error('User is not authorized to perform this action'), {
    name: 'AccessDenied',
    $metadata: { httpStatusCode: 403 },
  });

  const resource = step.kind.includes('profile')
    ? 'instance profile DataProcessor'
    : step.kind.includes('policy')
      ? 'policy s3_upload'
      : 'role DataProcessor';

  return iamFailure(error, actions[step.kind], resource);
}

function change(account: FakeAccount, plan: IamPlan, step: PlanStep): StepOutcome {
  switch (step.kind) {
    case 'create-policy':
    case 'update-policy':
      account.policy = plan.desired.policyDocument;
      account.policyReadDenied = false;
      return step.kind === 'create-policy' ? 'created' : 'updated';
    case 'create-role':
    case 'update-trust':
      account.role = true;
      return step.kind === 'create-role' ? 'created' : 'updated';
    case 'attach-policy':
      account.attached = true;
      return 'updated';
    case 'create-instance-profile':
      account.profile = 'empty';
      return 'created';
    case 'add-role-to-profile':
      account.profile = 'holds-role';
      return 'updated';
  }
}

/** Apply a plan to the account, emitting what applyIam emits. */
export async function fakeApply(
  account: FakeAccount,
  plan: IamPlan,
  onEvent: (event: ApplyEvent) => void,
  signal: AbortSignal,
  paceMs = 0,
): Promise<ApplyResult> {
  let changed = 0;
  let created = false;
  for (const [index, step] of plan.steps.entries()) {
    signal.throwIfAborted();
    onEvent({ type: 'step-started', step, index });
    await sleep(paceMs, signal);
    if (account.denyStep === step.kind) throw refused(step);

    let lag = created && /^(attach|add)/.test(step.kind) ? account.lag : 0;
    await withConsistencyRetry(
      async () => {
        if (lag-- > 0) throw Object.assign(new Error('not yet'), { name: 'NoSuchEntity' });
      },
      true,
      'role DataProcessor or policy s3_upload was just created',
      {
        sleep: () => sleep(paceMs, signal),
        onWait: (wait) => onEvent({ type: 'waiting', step: step.kind, ...wait }),
      },
    );
    const outcome = change(account, plan, step);
    created ||= outcome === 'created';
    if (outcome !== 'unchanged') changed += 1;
    onEvent({ type: 'step-finished', step, outcome });
  }
  const result = { changed, unchanged: plan.steps.length - changed };
  onEvent({ type: 'apply-finished', ...result });

  return result;
}

/** The IamService over the account. */
export function fakeIamService(account: FakeAccount, options: FakeIamOptions): IamService {
  const bucket = options.bucket ?? 'ftse100';
  const region = options.region ?? 'eu-west-1';
  const configPath = join(options.folder, 'tickops.config.json');
  const identity = {
    accountId: fakeAccountId,
    arn: `arn:aws:iam::${fakeAccountId}:user/ops`,
    userId: 'AIDAFAKE',
    partition: 'aws',
  };

  return {
    async check(wanted, signal) {
      account.checks.push({ wanted, signal });
      takeFailure(account);
      return checkOf(account, wantedDesired(bucket, options.layout, wanted));
    },
    plan: planIam,
    apply: (plan, onEvent, signal) => fakeApply(account, plan, onEvent, signal, options.paceMs),
    setup: {
      defaults: { bucket, region, layout: options.layout },
      configPath,
      async identity() {
        takeFailure(account);
        return identity;
      },
      async inspectBucket(name, where, accountId) {
        const probe = account.buckets.get(name) ?? 'missing';
        return { ...suggestBucketName(name, accountId), region: where, probe };
      },
      async plan(choices) {
        const desired = wantedDesired(choices.bucket, choices.layout, choices);
        const check = checkOf(account, desired);
        return { identity, choices, desired, check, iam: planIam(check) };
      },
      async apply(plan, onEvent: (event: SetupEvent) => void, signal) {
        const iam = await fakeApply(account, plan.iam, onEvent, signal, options.paceMs);
        const name = plan.choices.bucket;
        const state = account.buckets.get(name) === 'ours' ? 'exists' : 'created';
        account.buckets.set(name, 'ours');
        onEvent({ type: 'bucket-ready', bucket: name, state });
        const config = await writeConfigFile(configPath, {
          bucket: name,
          region: plan.choices.region,
        });
        return { iam, bucket: state, config, configPath };
      },
    },
  };
}
