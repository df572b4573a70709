/**
 * Does a set of identity policies let the run do what it needs on the bucket? Evaluated here,
 * without the IAM policy simulator (not every endpoint has one), by IAM's own rules: an
 * explicit Deny wins, then any Allow, otherwise the request is implicitly denied. Actions
 * match case-insensitively, resources case-sensitively, with `*` and `?` wildcards, and
 * NotAction/NotResource invert the match.
 *
 * Conditions are not evaluated: they depend on the request (source IP, tags, time), so a
 * statement with one makes the answer "conditional" rather than a guess either way. Policy
 * variables such as `${aws:username}` are compared literally. Permissions boundaries, session
 * policies and SCPs are not seen by these calls and can still deny what this says is allowed.
 */
import type { KeyLayout } from '../config.js';
import { partKey } from '../shard-part.js';
import { bucketArn, type PolicyUse } from './policy-documents.js';
import { statementsOf, type NormalStatement, type PolicyDocument } from './policy-json.js';

/** One call the run makes, on one resource. */
export interface AccessNeed {
  readonly action: string;
  readonly resource: string;
  /** What the run does with it, for the report. */
  readonly purpose: string;
}

/** How IAM would decide a need. */
export type AccessDecision = 'allowed' | 'explicit-deny' | 'not-granted' | 'conditional';

/** A policy to evaluate, with a name for the report. */
export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
}

/** The decision on one need and the statement that made it. */
export interface AccessResult extends AccessNeed {
  readonly decision: AccessDecision;
  /** `policy name#statement Sid or index`, when a statement decided it. */
  readonly decidedBy: string | undefined;
}

/** Does an IAM pattern with `*` and `?` match the value? */
export function matchesPattern(pattern: string, value: string, ignoreCase = false): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  const source = `^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`;

  return new RegExp(source, ignoreCase ? 'is' : 's').test(value);
}

/** Does the statement cover this action and resource (conditions aside)? */
export function statementCovers(statement: NormalStatement, action: string, resource: string) {
  const actionHit = statement.actions
    ? statement.actions.some((pattern) => matchesPattern(pattern, action, true))
    : statement.notActions !== undefined &&
      !statement.notActions.some((pattern) => matchesPattern(pattern, action, true));
  const resourceHit = statement.resources
    ? statement.resources.some((pattern) => matchesPattern(pattern, resource))
    : statement.notResources !== undefined &&
      !statement.notResources.some((pattern) => matchesPattern(pattern, resource));

  return actionHit && resourceHit;
}

/** Decide every need against the policies together, as IAM does for one principal. */
export function evaluateAccess(
  policies: readonly NamedPolicy[],
  needs: readonly AccessNeed[],
): AccessResult[] {
  const statements = policies.flatMap((policy) =>
    statementsOf(policy.document).map((statement, index) => ({
      statement,
      label: `${policy.name}#${statement.sid ?? index + 1}`,
    })),
  );

  return needs.map((need) => {
    const hits = statements.filter(({ statement }) =>
      statementCovers(statement, need.action, need.resource),
    );
    const firm = (effect: 'Allow' | 'Deny') =>
      hits.find((hit) => hit.statement.effect === effect && !hit.statement.condition);
    const conditional = (effect: 'Allow' | 'Deny') =>
      hits.find((hit) => hit.statement.effect === effect && hit.statement.condition);

    const decide = (decision: AccessDecision, decidedBy?: string): AccessResult => ({
      ...need,
      decision,
      decidedBy,
    });
    const deny = firm('Deny');
    if (deny) return decide('explicit-deny', deny.label);

    const allow = firm('Allow') ?? conditional('Allow');
    if (!allow) return decide('not-granted');

    const maybeDeny = conditional('Deny');
    if (maybeDeny) return decide('conditional', maybeDeny.label);

    return decide(allow.statement.condition ? 'conditional' : 'allowed', allow.label);
  });
}

/** Sample keys the run writes under each template, to test the policies against. */
function sampleKeys(layout: KeyLayout): string[] {
  const fill = (template: string, ext: string) =>
    template
      .replace(/\{date\}/g, '20241025')
      .replace(/\{ticker\}/g, 'BARC')
      .replace(/\{ext\}/g, ext);

  return [fill(layout.raw, 'json'), fill(layout.raw, 'txt'), fill(layout.bars, 'csv')]
    .concat(fill(layout.manifest, 'json'))
    .filter((key, index, keys) => keys.indexOf(key) === index);
}

/**
 * What `tickops --run-today` calls on the bucket (see src/services/s3.ts); a shard also
 * uploads its manifest part and reads every part back to merge the day.
 */
export function runTodayNeeds(
  bucket: string,
  layout: KeyLayout,
  partition = 'aws',
  use: PolicyUse = { shards: false },
): AccessNeed[] {
  const arn = bucketArn(bucket, partition);
  const part = `${arn}/${partKey(layout.manifest, '2024-10-25', { index: 0, count: 8 })}`;
  const shardNeeds: AccessNeed[] = [
    { action: 's3:PutObject', resource: part, purpose: "upload the shard's manifest part" },
    { action: 's3:GetObject', resource: part, purpose: "read the shards' parts to merge the day" },
  ];

  return [
    { action: 's3:ListBucket', resource: arn, purpose: 'probe the bucket and list the day' },
    { action: 's3:CreateBucket', resource: arn, purpose: 'create the bucket on the first run' },
    ...sampleKeys(layout).map((key) => ({
      action: 's3:PutObject',
      resource: `${arn}/${key}`,
      purpose: 'upload the day',
    })),
    ...(use.shards ? shardNeeds : []),
  ];
}
