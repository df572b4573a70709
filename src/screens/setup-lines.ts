/**
 * What each step of the setup wizard says, as plain lines, and the keys it offers. Pure, so
 * the wizard component only lays it out and routes keys.
 */
import { explainFlavours, formatPlan } from '../services/iam/describe.js';
import { policyFlavours } from '../services/iam/policy-documents.js';
import type { BucketCheck } from './console-services.js';
import type { PlanAndBucket, SetupWizardState } from './hooks/use-setup.js';
import { changes, type ToneLine } from './iam-lines.js';

/** A step's body and the line of keys under it. */
export interface StepText {
  readonly lines: readonly ToneLine[];
  readonly keys: string;
}

const text = (value: string, tone?: ToneLine['tone']): ToneLine => ({ text: value, tone });

function failed(state: { message: string; hint: string | undefined }): ToneLine[] {
  return [text(state.message, 'bad'), ...(state.hint ? [text(`next: ${state.hint}`)] : [])];
}

/** Is there anything the apply step would change in IAM or S3? */
export function hasChanges(found: PlanAndBucket): boolean {
  return found.plan.iam.steps.length > 0 || found.bucket.probe !== 'ours';
}

/** A better name is worth offering unless the bucket is ours already. */
export function offersSuggestion(
  found: BucketCheck,
): found is BucketCheck & { suggestion: string } {
  return found.probablyTaken && found.suggestion !== undefined && found.probe !== 'ours';
}

/** What the bucket probe found, in the operator's words. */
export function bucketLines(found: BucketCheck): ToneLine[] {
  const name = `s3://${found.bucket}`;
  const lines = [
    found.probe === 'ours'
      ? text(`${name} exists and is yours: setup keeps it`, 'good')
      : found.probe === 'missing'
        ? text(`${name} does not exist yet: setup creates it in ${found.region}`)
        : text(`${name} is refused (403): another account owns it, or you may not list it`, 'bad'),
  ];
  if (offersSuggestion(found)) {
    lines.push(
      text(
        `bucket names are global: a short name like ${found.bucket} is probably taken by ` +
          'another AWS account (and will be, later, where it is free now)',
        'warn',
      ),
      text(`suggested: ${found.suggestion} (s uses it)`),
    );
  }

  return lines;
}

/** The body and keys of the current step. */
export function stepText(wizard: SetupWizardState, configPath: string): StepText {
  switch (wizard.step) {
    case 'identity':
      return identityText(wizard);
    case 'region':
      return {
        lines: [text('The region the bucket is created in and the daily machine runs in.')],
        keys: 'enter accept · esc back',
      };
    case 'bucket': {
      const found = wizard.bucketCheck;
      const head = text(`bucket  s3://${wizard.bucket} in ${wizard.region}`);
      if (found.status === 'loading') {
        return { lines: [head, text('looking…')], keys: 'esc back' };
      }
      if (found.status === 'error') {
        return { lines: [head, ...failed(found)], keys: 'e edit name · enter retry · esc back' };
      }
      const suggest = offersSuggestion(found.value) ? 's use suggestion · ' : '';
      return {
        lines: [head, ...bucketLines(found.value)],
        keys: `enter use it · ${suggest}e edit · esc back`,
      };
    }
    case 'policy':
      return {
        lines: [
          ...policyFlavours.map((flavour) =>
            text(`${flavour === wizard.flavour ? '>' : ' '} ${flavour}`, undefined),
          ),
          ...explainFlavours().map((line) => text(line)),
          text(`[${wizard.ecs ? 'x' : ' '}] also let ECS tasks assume DataProcessor (t)`),
        ],
        keys: '↑↓ l/o choose · t ECS · enter next · esc back',
      };
    case 'plan':
      return planText(wizard, configPath);
    case 'apply':
    case 'done':
      return applyText(wizard);
  }
}

function identityText(wizard: SetupWizardState): StepText {
  const found = wizard.identity;
  if (found.status === 'loading') {
    return { lines: [text('asking STS who these credentials belong to…')], keys: 'esc leave' };
  }
  if (found.status === 'error') {
    return { lines: failed(found), keys: 'enter try again · esc leave' };
  }

  return {
    lines: [
      text(`account    ${found.value.accountId}`, 'good'),
      text(`caller     ${found.value.arn}`),
      text(''),
      text('Setup puts in place the s3_upload policy, the DataProcessor role and instance'),
      text('profile, and the bucket, then writes your choices to the config file. Nothing'),
      text('changes before the plan is shown and you say yes.'),
    ],
    keys: 'enter next · esc leave',
  };
}

function planText(wizard: SetupWizardState, configPath: string): StepText {
  const found = wizard.plan;
  if (found.status === 'loading') {
    return { lines: [text('checking IAM and working out the plan…')], keys: 'esc back' };
  }
  if (found.status === 'error') {
    return { lines: failed(found), keys: 'enter try again · esc back' };
  }

  const { plan, bucket } = found.value;
  const create = bucket.probe !== 'ours';
  const lines = formatPlan(plan.iam).map((line) => text(line));
  lines.push(
    create
      ? text(`then: create bucket s3://${bucket.bucket} in ${bucket.region}`)
      : text(`bucket s3://${bucket.bucket} exists: nothing to do`),
    text(`then: write bucket and region to ${configPath}`),
  );
  if (!hasChanges(found.value)) {
    lines.push(text('nothing to change: IAM and the bucket are already in place', 'good'));
    return { lines, keys: 'enter finish · esc back' };
  }
  const what = `${changes(plan.iam.steps.length)} to IAM${create ? ' and the bucket' : ''}`;

  return { lines, keys: `enter apply ${what} (asks first) · esc back` };
}

function applyText(wizard: SetupWizardState): StepText {
  const { apply } = wizard;
  if (apply.status === 'idle') return { lines: [], keys: '' };
  if (apply.status === 'applying') {
    return { lines: apply.lines, keys: `applying: ${apply.current ?? 'starting'}…` };
  }
  if (apply.status === 'failed') {
    return { lines: [...apply.lines, ...failed(apply)], keys: 'enter or esc back to the plan' };
  }

  const { result } = apply;
  const untouched =
    result.iam.changed === 0 && result.bucket === 'exists' && result.config === 'unchanged';
  const summary = untouched
    ? text('nothing changed: IAM, the bucket and the config file were already as chosen', 'good')
    : text(
        `done: IAM ${result.iam.changed} changed, ${result.iam.unchanged} in place; ` +
          `bucket ${result.bucket}; config ${result.config}`,
        'good',
      );

  return {
    lines: [
      ...apply.lines,
      summary,
      text('tickops reads the new settings when it next starts (--run-today, the console)'),
    ],
    keys: 'enter close · esc back to the plan',
  };
}
