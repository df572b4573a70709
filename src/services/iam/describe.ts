/**
 * Plain-text lines for a check, a plan and apply progress, shared by `tickops iam` and the
 * IAM screen so both say the same thing. No colour and no cursor movement.
 */
import type { ApplyEvent } from './apply.js';
import type { IamCheck, PieceReport } from './check.js';
import { formatPolicyChange } from './policy-diff.js';
import { actionReasons } from './policy-documents.js';
import { describeStep, type IamPlan } from './plan.js';

const pieceLabels: Record<PieceReport['piece'], string> = {
  policy: 'policy',
  role: 'role',
  trust: 'trust',
  attachment: 'attached',
  'instance-profile': 'profile',
};

/** The check, one line per piece, the policy's differences under it, and the verdict. */
export function formatCheck(check: IamCheck): string[] {
  const { desired, pieces, access } = check;
  const target = desired.target;
  const lines = [
    `IAM for s3://${target.bucket} in account ${target.accountId} ` +
      `(${target.flavour} s3_upload${target.ecs ? ', EC2 and ECS' : ''}):`,
  ];

  for (const item of Object.values(pieces)) {
    const head = `${item.state.padEnd(12)} ${pieceLabels[item.piece].padEnd(9)}`;
    lines.push(`${head} ${item.resource}: ${item.detail}`);
    if (item.piece === 'policy' && item.state === 'drifted') {
      for (const change of pieces.policy.diff?.changes ?? []) {
        lines.push(`${' '.repeat(24)}${formatPolicyChange(change)}`);
      }
    }
  }
  lines.push(`${'access'.padEnd(12)} ${'run'.padEnd(9)} ${access.detail}`);
  for (const result of access.results.filter((item) => item.decision !== 'allowed')) {
    lines.push(`${' '.repeat(24)}${result.decision}: ${result.action} on ${result.resource}`);
  }

  lines.push(verdictLine(check));

  return lines;
}

function verdictLine(check: IamCheck): string {
  if (check.verdict === 'in-place') return 'in place: the daily job has what it needs';
  if (check.verdict === 'needs-changes') return 'changes needed: run tickops iam apply';

  return 'cannot check everything: grant the iam:Get*/iam:List* permissions named above';
}

/** The plan, one line per step (differences indented), then what apply leaves to the operator. */
export function formatPlan(plan: IamPlan): string[] {
  if (plan.steps.length === 0 && plan.manual.length === 0) {
    return ['nothing to change: s3_upload, DataProcessor and its instance profile are in place'];
  }

  const lines = plan.steps.length > 0 ? ['plan:'] : [];
  for (const [index, step] of plan.steps.entries()) {
    const [first, ...rest] = describeStep(step);
    lines.push(`  ${index + 1}. ${first ?? step.kind}`, ...rest.map((line) => `    ${line}`));
  }
  for (const note of plan.manual) lines.push(`  by hand: ${note}`);

  return lines;
}

/** Why the least-privilege document differs from the original, action by action. */
export function explainFlavours(): string[] {
  return [
    'least-privilege (default) grants only what --run-today calls, on the configured bucket:',
    ...['s3:PutObject', 's3:ListBucket', 's3:CreateBucket'].map(
      (action) => `  ${action}: ${actionReasons[action] ?? ''}`,
    ),
    'original grants the same on every bucket (Resource "*"), plus:',
    `  s3:ListAllMyBuckets: ${actionReasons['s3:ListAllMyBuckets'] ?? ''}`,
  ];
}

/** One line for an apply event, or undefined for events a terminal need not show. */
export function formatApplyEvent(event: ApplyEvent): string | undefined {
  switch (event.type) {
    case 'step-started':
      return undefined;
    case 'already-exists':
      return `  ${event.entity} already exists: reading it instead`;
    case 'version-deleted':
      return `  deleted version ${event.versionId} of ${event.policyArn} (IAM keeps five)`;
    case 'version-created':
      return `  version ${event.versionId} of ${event.policyArn} is now the default`;
    case 'waiting':
      return (
        `  waiting ${(event.delayMs / 1000).toFixed(1)}s for IAM (${event.attempt}/` +
        `${event.maxAttempts}): ${event.reason}`
      );
    case 'step-finished':
      return `${event.outcome.padEnd(9)} ${describeStep(event.step)[0] ?? event.step.kind}`;
    case 'apply-finished':
      return `applied: ${event.changed} changed, ${event.unchanged} already in place`;
  }
}
