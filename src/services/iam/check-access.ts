/**
 * Whether the role's policies, all of them (attached and inline), grant every call the run
 * makes on the bucket, evaluated locally. The s3_upload document already read by the check is
 * reused; the others are fetched, and a refused read makes the answer "cannot check".
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { DesiredIam } from './desired.js';
import { evaluateAccess, type AccessResult, type NamedPolicy } from './evaluate.js';
import type { PolicyDocument } from './policy-json.js';
import { readInlinePolicies, readPolicy, type Probe } from './read.js';

/** Whether the role's policies grant what the run needs on the bucket. */
export interface AccessReport {
  readonly state: 'granted' | 'not-granted' | 'cannot-check' | 'not-evaluated';
  readonly detail: string;
  readonly results: readonly AccessResult[];
  readonly needs?: string;
}

/** Evaluate the role's attached and inline policies against what the run needs. */
export async function checkAccess(
  iam: IAMClient,
  desired: DesiredIam,
  ownPolicy: PolicyDocument | undefined,
  attached: Probe<string[]>,
): Promise<AccessReport> {
  const denied = (needs: string): AccessReport => ({
    state: 'cannot-check',
    detail: `cannot check: needs ${needs}`,
    results: [],
    needs,
  });
  if (attached.kind === 'denied') return denied(attached.needs);
  if (attached.kind === 'missing') {
    return { state: 'not-evaluated', detail: 'the role is missing', results: [] };
  }

  const policies: NamedPolicy[] = [];
  for (const arn of attached.value) {
    if (arn === desired.policyArn && ownPolicy) {
      policies.push({ name: desired.policyName, document: ownPolicy });
      continue;
    }
    const other = await readPolicy(iam, arn);
    if (other.kind === 'denied') return denied(`${other.needs} on ${arn}`);
    if (other.kind === 'found') policies.push({ name: arn, document: other.value.document });
  }
  const inline = await readInlinePolicies(iam, desired.roleName);
  if (inline.kind === 'denied') return denied(`${inline.needs} on ${inline.resource}`);
  if (inline.kind === 'found') policies.push(...inline.value);

  const results = evaluateAccess(policies, desired.needs);
  const refused = results.filter((result) => result.decision !== 'allowed');
  if (refused.length === 0) {
    return {
      state: 'granted',
      detail: `grants all ${results.length} calls the run makes`,
      results,
    };
  }
  const first = refused[0];

  return {
    state: 'not-granted',
    detail:
      `${refused.length} of ${results.length} calls not granted, e.g. ` +
      `${first?.action} on ${first?.resource} (${first?.decision})`,
    results,
  };
}
