/**
 * The IAM screen's text: one row per piece, the selected piece's detail (why, the decoded
 * document and its differences, what to do when it cannot be checked) and the verdict. Pure,
 * so the screen only lays it out; the words come from the same describe functions as the CLI.
 */
import { explainFlavours } from '../services/iam/describe.js';
import type { IamCheck, PieceReport } from '../services/iam/check.js';
import { formatPolicyChange } from '../services/iam/policy-diff.js';
import { statementsOf, type PolicyDocument } from '../services/iam/policy-json.js';
import type { IamPlan } from '../services/iam/plan.js';

/** A line with how it should stand out. */
export interface ToneLine {
  readonly text: string;
  readonly tone?: 'good' | 'warn' | 'bad';
}

/** One row of the pieces table. */
export interface PieceRow extends ToneLine {
  readonly label: string;
  readonly state: string;
  readonly resource: string;
}

const labels: Record<PieceReport['piece'], string> = {
  policy: 'policy',
  role: 'role',
  trust: 'trust',
  attachment: 'attached',
  'instance-profile': 'profile',
};

const tones: Record<string, ToneLine['tone']> = {
  present: 'good',
  granted: 'good',
  missing: 'warn',
  drifted: 'warn',
  'not-granted': 'bad',
  'cannot-check': 'bad',
};

/** The five pieces, then the access evaluation, as table rows. */
export function pieceRows(check: IamCheck): PieceRow[] {
  const pieces = Object.values(check.pieces).map((piece) => ({
    label: labels[piece.piece],
    state: piece.state.replace('-', ' '),
    resource: piece.resource,
    text: piece.detail,
    tone: tones[piece.state],
  }));
  const { access } = check;

  return [
    ...pieces,
    {
      label: 'access',
      state: access.state.replace('-', ' '),
      resource: `what --run-today calls on s3://${check.desired.target.bucket}`,
      text: access.detail,
      tone: tones[access.state],
    },
  ];
}

/** What to do about a piece that could not be read. */
export function cannotCheckHint(needs: string): string {
  return (
    `next: grant ${needs} (read-only iam:Get*/iam:List* is enough), or check as an IAM ` +
    'administrator; apply treats it as missing and reads it if it exists'
  );
}

/** The detail of row `index` of pieceRows: why, and for the policy its documents. */
export function pieceDetail(check: IamCheck, index: number): ToneLine[] {
  const piece = Object.values(check.pieces)[index];
  if (!piece) return accessDetail(check);

  // The row above names the resource; the detail says why it is in that state.
  const lines: ToneLine[] = [{ text: piece.detail, tone: tones[piece.state] }];
  if (piece.needs) lines.push({ text: cannotCheckHint(piece.needs) });
  if (piece.piece !== 'policy') return lines;

  const policy = check.pieces.policy;
  for (const change of policy.diff?.changes ?? []) {
    lines.push({ text: `  ${formatPolicyChange(change)}`, tone: 'warn' });
  }
  if (policy.actual && policy.state === 'drifted') {
    lines.push({ text: `IAM holds (${policy.defaultVersionId ?? 'default'}):` });
    lines.push(...statementLines(policy.actual));
  }
  lines.push({ text: `wanted (${check.desired.target.flavour}):` });
  lines.push(...statementLines(check.desired.policyDocument));
  lines.push(...explainFlavours().map((text) => ({ text })));

  return lines;
}

function accessDetail(check: IamCheck): ToneLine[] {
  const { access } = check;
  const lines: ToneLine[] = [{ text: access.detail, tone: tones[access.state] }];
  if (access.needs) lines.push({ text: cannotCheckHint(access.needs) });
  for (const result of access.results) {
    const tone = result.decision === 'allowed' ? undefined : 'bad';
    lines.push({ text: `  ${result.decision}: ${result.action} on ${result.resource}`, tone });
  }

  return lines;
}

/** A document as one line per statement: `Allow s3:PutObject on arn:...`. */
export function statementLines(document: PolicyDocument): ToneLine[] {
  return statementsOf(document).map((statement) => {
    const actions = statement.actions ?? statement.notActions?.map((item) => `not ${item}`);
    const resources = statement.resources ?? statement.notResources?.map((item) => `not ${item}`);
    const condition = statement.condition ? ' (with a condition)' : '';

    return {
      text:
        `  ${statement.effect} ${(actions ?? []).join(', ')} on ${(resources ?? []).join(', ')}` +
        condition,
    };
  });
}

/** The line under the screen saying where things stand. */
export function verdictLine(check: IamCheck, plan: IamPlan): ToneLine {
  const count = plan.steps.length;
  const steps = changes(count);
  if (check.verdict === 'in-place' && count === 0) {
    return { text: 'in place: the daily job has what it needs', tone: 'good' };
  }
  if (check.verdict === 'cannot-check') {
    return {
      text: `cannot check everything (see the pieces marked so); a applies ${steps} anyway`,
      tone: 'bad',
    };
  }
  if (count === 0) return { text: 'nothing apply can change: see "by hand" above', tone: 'warn' };

  return { text: `changes needed: a applies the ${steps} above`, tone: 'warn' };
}

/** `1 change`, `5 changes`. */
export function changes(count: number): string {
  return `${count} change${count === 1 ? '' : 's'}`;
}
