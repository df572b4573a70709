/**
 * IAM policy documents as data: parsing what IAM returns (URL-encoded on AWS, plain JSON on
 * some emulators), normalising the many spellings IAM accepts (a string or a list, one
 * statement or several), and comparing two documents as parsed JSON rather than as text.
 */
import { AwsResourceError } from '../errors.js';

/** One statement as written in a policy document. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, unknown>>;
}

/** A policy document as written (identity policy or trust policy). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** A statement with every list spelled as a list. */
export interface NormalStatement {
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[] | undefined;
  readonly notActions: readonly string[] | undefined;
  readonly resources: readonly string[] | undefined;
  readonly notResources: readonly string[] | undefined;
  readonly principal: unknown;
  readonly condition: Readonly<Record<string, unknown>> | undefined;
}

/** A list field of a statement, spelled as a list. */
export function asList(value: string | readonly string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;

  return typeof value === 'string' ? [value] : [...value];
}

/** Every statement of a document, normalised. */
export function statementsOf(document: PolicyDocument): NormalStatement[] {
  const list = Array.isArray(document.Statement)
    ? (document.Statement as readonly PolicyStatement[])
    : [document.Statement as PolicyStatement];

  return list.map((statement) => ({
    sid: statement.Sid,
    effect: statement.Effect,
    actions: asList(statement.Action),
    notActions: asList(statement.NotAction),
    resources: asList(statement.Resource),
    notResources: asList(statement.NotResource),
    principal: statement.Principal,
    condition: statement.Condition,
  }));
}

/**
 * Parse a document as IAM returns it. The AWS API reference says GetPolicyVersion, GetRole
 * and GetRolePolicy return documents URL-encoded (RFC 3986); moto 5 encodes the role's trust
 * policy but returns policy versions as plain JSON. Plain JSON always starts with `{`, an
 * encoded document with `%7B`, so the two cannot be mistaken for each other.
 */
export function parsePolicyDocument(text: string, what: string): PolicyDocument {
  const trimmed = text.trim();
  const candidates = trimmed.startsWith('{') ? [trimmed] : decodings(trimmed);

  for (const candidate of candidates) {
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (isPolicyDocument(parsed)) return parsed;
    } catch {
      // Try the next decoding; the error below names the document.
    }
  }

  throw new AwsResourceError(`the policy document of ${what} is not a readable IAM policy`, {
    hint: 'look at it in the IAM console; tickops expects JSON with a Statement list',
  });
}

function decodings(text: string): string[] {
  const results: string[] = [];
  // Some encoders write a space as `+` (form encoding) rather than `%20`.
  for (const variant of [text, text.replace(/\+/g, ' ')]) {
    try {
      results.push(decodeURIComponent(variant));
    } catch {
      // Not valid percent-encoding; nothing to add.
    }
  }

  return results;
}

function isPolicyDocument(value: unknown): value is PolicyDocument {
  if (typeof value !== 'object' || value === null) return false;
  const statement = (value as { Statement?: unknown }).Statement;

  return typeof statement === 'object' && statement !== null;
}

/**
 * The canonical form two documents are compared in: list order, single-value spelling, key
 * order, action case (IAM action names are case-insensitive) and Sids do not change what a
 * policy grants, so none of them counts as a difference.
 */
export function canonicalPolicy(document: PolicyDocument): string {
  const statements = statementsOf(document)
    .map((statement) =>
      canonicalJson({
        effect: statement.effect,
        actions: sortedLower(statement.actions),
        notActions: sortedLower(statement.notActions),
        resources: sorted(statement.resources),
        notResources: sorted(statement.notResources),
        principal: statement.principal,
        condition: statement.condition,
      }),
    )
    .sort();

  const version = JSON.stringify(document.Version ?? '2008-10-17');

  return `{"Version":${version},"Statement":[${statements.join(',')}]}`;
}

/** Do two documents say the same thing, compared as parsed JSON? */
export function samePolicy(left: PolicyDocument, right: PolicyDocument): boolean {
  return canonicalPolicy(left) === canonicalPolicy(right);
}

function sorted(list: readonly string[] | undefined): string[] | undefined {
  return list === undefined ? undefined : [...new Set(list)].sort();
}

function sortedLower(list: readonly string[] | undefined): string[] | undefined {
  return sorted(list?.map((item) => item.toLowerCase()));
}

/** JSON with object keys sorted at every depth and undefined members left out. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
    return `{${entries.join(',')}}`;
  }

  return JSON.stringify(value);
}
