/**
 * Bring an existing managed policy to the desired document. A change is a new version set as
 * default; IAM keeps at most five, so at the limit the oldest non-default version is deleted
 * first. The default version is never deleted: it is what the role runs with until the new
 * one takes over.
 */
import {
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AccessDeniedError, AwsResourceError } from '../errors.js';
import { iamFailure, isIamError } from './iam-errors.js';
import { samePolicy, type PolicyDocument } from './policy-json.js';
import { maxPolicyVersions, oldestDeletableVersion } from './plan.js';
import { listPolicyVersions, readPolicy, type Probe } from './read.js';

/** What happened to the policy. */
export type PolicyUpdate =
  | { readonly outcome: 'unchanged'; readonly versionId: string }
  | { readonly outcome: 'updated'; readonly versionId: string; readonly deleted?: string };

/** Callbacks for the versions deleted and created. */
export interface VersionEvents {
  readonly onDeleted?: (versionId: string) => void;
}

function required<T>(probe: Probe<T>, arn: string): T {
  if (probe.kind === 'found') return probe.value;
  if (probe.kind === 'denied') {
    throw new AccessDeniedError(`access denied: ${probe.needs} on ${arn}`, {
      hint: `grant ${probe.needs} to these credentials, or run tickops iam as an IAM administrator`,
    });
  }

  throw new AwsResourceError(`policy ${arn} disappeared while it was being updated`, {
    hint: 'someone else is changing IAM at the same time: run tickops iam apply again',
  });
}

/** Make the desired document the policy's default version, unless it already is. */
export async function updatePolicyDocument(
  iam: IAMClient,
  arn: string,
  document: PolicyDocument,
  events: VersionEvents = {},
): Promise<PolicyUpdate> {
  const current = required(await readPolicy(iam, arn), arn);
  if (samePolicy(current.document, document)) {
    return { outcome: 'unchanged', versionId: current.defaultVersionId };
  }

  let deleted = await makeRoom(iam, arn, events);
  try {
    return { outcome: 'updated', versionId: await createVersion(iam, arn, document), deleted };
  } catch (error) {
    // Another writer added a version between our listing and our create: make room again.
    if (!isIamError(error, 'LimitExceeded'))
      throw iamFailure(error, 'iam:CreatePolicyVersion', arn);
    deleted = (await makeRoom(iam, arn, events)) ?? deleted;
  }

  try {
    return { outcome: 'updated', versionId: await createVersion(iam, arn, document), deleted };
  } catch (error) {
    throw iamFailure(error, 'iam:CreatePolicyVersion', arn);
  }
}

/** At the limit, delete the oldest non-default version; returns its id. */
async function makeRoom(
  iam: IAMClient,
  arn: string,
  events: VersionEvents,
): Promise<string | undefined> {
  const versions = required(await listPolicyVersions(iam, arn), arn);
  if (versions.length < maxPolicyVersions) return undefined;

  const victim = oldestDeletableVersion(versions);
  if (!victim) return undefined;
  try {
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: victim.versionId }));
  } catch (error) {
    throw iamFailure(error, 'iam:DeletePolicyVersion', `${arn} ${victim.versionId}`);
  }
  events.onDeleted?.(victim.versionId);

  return victim.versionId;
}

async function createVersion(iam: IAMClient, arn: string, document: PolicyDocument) {
  const reply = await iam.send(
    new CreatePolicyVersionCommand({
      PolicyArn: arn,
      PolicyDocument: JSON.stringify(document),
      SetAsDefault: true,
    }),
  );

  return reply.PolicyVersion?.VersionId ?? 'new';
}
