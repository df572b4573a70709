/**
 * A readable difference between the policy IAM holds and the one tickops wants, computed on
 * the parsed documents: which actions were added or are missing, and which resources were
 * widened (a pattern such as `*` that covers more than wanted), changed or are missing.
 * Statements that are not a plain unconditional Allow (Deny, Condition, NotAction,
 * NotResource) cannot be reduced to action/resource pairs and are listed whole.
 */
import { matchesPattern } from './evaluate.js';
import {
  canonicalPolicy,
  statementsOf,
  type NormalStatement,
  type PolicyDocument,
} from './policy-json.js';

/** One difference between the actual and the desired document. */
export type PolicyChange =
  | { readonly kind: 'action-added'; readonly action: string; readonly resources: string[] }
  | { readonly kind: 'action-missing'; readonly action: string }
  | {
      readonly kind: 'resource-widened';
      readonly action: string;
      readonly resource: string;
      readonly wanted: string[];
    }
  | {
      readonly kind: 'resource-narrowed';
      readonly action: string;
      readonly resource: string;
      readonly wanted: string[];
    }
  | { readonly kind: 'resource-unexpected'; readonly action: string; readonly resource: string }
  | { readonly kind: 'resource-missing'; readonly action: string; readonly resource: string }
  | { readonly kind: 'statement-added' | 'statement-missing'; readonly statement: string };

/** The difference, empty when the documents are the same as parsed JSON. */
export interface PolicyDiff {
  readonly same: boolean;
  readonly changes: readonly PolicyChange[];
}

type Grants = Map<string, { action: string; resources: Set<string> }>;

function isPlainAllow(statement: NormalStatement): boolean {
  return (
    statement.effect === 'Allow' &&
    statement.condition === undefined &&
    statement.actions !== undefined &&
    statement.resources !== undefined
  );
}

/** Action (lower case) to the resources plain Allow statements grant it on. */
function grantsOf(statements: readonly NormalStatement[]): Grants {
  const grants: Grants = new Map();
  for (const statement of statements.filter(isPlainAllow)) {
    for (const action of statement.actions ?? []) {
      const entry = grants.get(action.toLowerCase()) ?? { action, resources: new Set() };
      for (const resource of statement.resources ?? []) entry.resources.add(resource);
      grants.set(action.toLowerCase(), entry);
    }
  }

  return grants;
}

function otherStatements(statements: readonly NormalStatement[]): Set<string> {
  const others = statements.filter((statement) => !isPlainAllow(statement));

  return new Set(
    others.map((statement) => canonicalPolicy({ Statement: [toDocument(statement)] })),
  );
}

function toDocument(statement: NormalStatement) {
  return {
    Effect: statement.effect,
    Action: statement.actions,
    NotAction: statement.notActions,
    Resource: statement.resources,
    NotResource: statement.notResources,
    Principal: statement.principal,
    Condition: statement.condition,
  };
}

/** Compare what IAM holds (`actual`) with what tickops wants (`desired`). */
export function diffPolicies(actual: PolicyDocument, desired: PolicyDocument): PolicyDiff {
  if (canonicalPolicy(actual) === canonicalPolicy(desired)) return { same: true, changes: [] };

  const actualStatements = statementsOf(actual);
  const desiredStatements = statementsOf(desired);
  const have = grantsOf(actualStatements);
  const want = grantsOf(desiredStatements);
  const changes: PolicyChange[] = [];

  for (const [key, granted] of have) {
    if (want.has(key)) continue;
    // `s3:*` in place of s3:PutObject is both an added action and a widening; say it once.
    changes.push({
      kind: 'action-added',
      action: granted.action,
      resources: [...granted.resources],
    });
  }

  for (const [key, wanted] of want) {
    const coveringActions = [...have.values()].filter((entry) =>
      matchesPattern(entry.action, wanted.action, true),
    );
    if (coveringActions.length === 0) {
      changes.push({ kind: 'action-missing', action: wanted.action });
      continue;
    }

    changes.push(...resourceChanges(wanted.action, have.get(key)?.resources, wanted.resources));
    for (const resource of wanted.resources) {
      const reached = coveringActions.some((entry) =>
        [...entry.resources].some(
          (pattern) => matchesPattern(pattern, resource) || matchesPattern(resource, pattern),
        ),
      );
      if (!reached) changes.push({ kind: 'resource-missing', action: wanted.action, resource });
    }
  }

  const actualOthers = otherStatements(actualStatements);
  const desiredOthers = otherStatements(desiredStatements);
  for (const statement of actualOthers) {
    if (!desiredOthers.has(statement)) changes.push({ kind: 'statement-added', statement });
  }
  for (const statement of desiredOthers) {
    if (!actualOthers.has(statement)) changes.push({ kind: 'statement-missing', statement });
  }

  return { same: false, changes };
}

/** How the resources granted for one action differ from the wanted ones. */
function resourceChanges(
  action: string,
  granted: ReadonlySet<string> | undefined,
  wanted: ReadonlySet<string>,
): PolicyChange[] {
  const changes: PolicyChange[] = [];
  for (const resource of granted ?? []) {
    if (wanted.has(resource)) continue;
    const covered = [...wanted].filter((target) => matchesPattern(resource, target));
    const within = [...wanted].filter((target) => matchesPattern(target, resource));
    if (covered.length > 0) {
      changes.push({ kind: 'resource-widened', action, resource, wanted: covered });
    } else if (within.length > 0) {
      changes.push({ kind: 'resource-narrowed', action, resource, wanted: within });
    } else {
      changes.push({ kind: 'resource-unexpected', action, resource });
    }
  }

  return changes;
}

/** One line per change, for the terminal and the IAM screen. */
export function formatPolicyChange(change: PolicyChange): string {
  switch (change.kind) {
    case 'action-added':
      return `+ ${change.action} on ${change.resources.join(', ')} (not needed)`;
    case 'action-missing':
      return `- ${change.action} missing`;
    case 'resource-widened':
      return (
        `! ${change.action} widened to ${change.resource} ` + `(wanted ${change.wanted.join(', ')})`
      );
    case 'resource-narrowed':
      return `~ ${change.action} only on ${change.resource} (wanted ${change.wanted.join(', ')})`;
    case 'resource-unexpected':
      return `~ ${change.action} on ${change.resource} (not a resource the run uses)`;
    case 'resource-missing':
      return `- ${change.action} on ${change.resource} missing`;
    case 'statement-added':
      return `+ statement ${change.statement}`;
    case 'statement-missing':
      return `- statement ${change.statement}`;
  }
}
