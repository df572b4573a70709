/**
 * The first-time setup's steps without any UI, so the setup screen (and tests) can call them
 * one by one: who am I, which bucket, what would change, change it, remember the choices.
 * Each step can be repeated; on a finished setup the plan is empty and the config unchanged.
 */
import { readFile } from 'node:fs/promises';
import type { STSClient } from '@aws-sdk/client-sts';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { IAMClient } from '@aws-sdk/client-iam';
import { writeFileAtomic } from './atomic-file.js';
import { isCredentialProblem, sdkErrorParts, toTickopsError } from './aws-errors.js';
import { configKeys, type ConfigKey, type KeyLayout } from './config.js';
import { ConfigError } from './errors.js';
import { applyIam, type ApplyEvent, type ApplyResult } from './iam/apply.js';
import { checkIam, type IamCheck } from './iam/check.js';
import { desiredIam, type DesiredIam } from './iam/desired.js';
import { planIam, type IamPlan } from './iam/plan.js';
import type { PolicyFlavour } from './iam/policy-documents.js';
import { detectIdentity, type CallerIdentity } from './identity.js';
import { ensureBucket, type BucketState, type BucketTarget } from './s3.js';

/** Who the credentials belong to; the setup's name for the caller. */
export type Identity = CallerIdentity;
export { detectIdentity };

/** A bucket name, and a better one when the name is probably someone else's already. */
export interface BucketSuggestion {
  readonly bucket: string;
  readonly probablyTaken: boolean;
  readonly suggestion: string | undefined;
}

/**
 * Bucket names are global across all AWS accounts, so a short plain word such as `ftse100`
 * is almost certainly taken; the account id makes a name that is ours.
 */
export function suggestBucketName(bucket: string, accountId: string): BucketSuggestion {
  const probablyTaken = !bucket.includes(accountId) && /^[a-z0-9]{1,16}$/.test(bucket);
  const suggestion = probablyTaken ? `${bucket}-${accountId}`.slice(0, 63) : undefined;

  return { bucket, probablyTaken, suggestion };
}

/** Whether the bucket is ours, free, or answered 403 (another account's, or no permission). */
export type BucketProbe = 'ours' | 'missing' | 'forbidden';

/** One-key ListObjectsV2, as the daily job probes (HeadBucket would need no more on AWS). */
export async function probeBucket(s3: S3Client, target: BucketTarget): Promise<BucketProbe> {
  try {
    await s3.send(new ListObjectsV2Command({ Bucket: target.bucket, MaxKeys: 1 }));
    return 'ours';
  } catch (error) {
    const { status, name } = sdkErrorParts(error);
    if (status === 404 || name === 'NoSuchBucket') return 'missing';
    if (status === 403 && !isCredentialProblem(error)) return 'forbidden';
    throw toTickopsError(error, {
      action: 's3:ListBucket',
      resource: `bucket ${target.bucket}`,
      endpoint: target.endpoint,
    });
  }
}

/** What the operator chose in the wizard. */
export interface SetupChoices {
  readonly bucket: string;
  readonly region: string;
  readonly layout: KeyLayout;
  readonly flavour: PolicyFlavour;
  readonly ecs: boolean;
}

/** What setup would do. */
export interface SetupPlan {
  readonly identity: Identity;
  readonly choices: SetupChoices;
  readonly desired: DesiredIam;
  readonly check: IamCheck;
  readonly iam: IamPlan;
}

/** Check IAM for the choices and plan the changes. */
export async function planSetup(
  clients: { readonly iam: IAMClient; readonly sts: STSClient },
  choices: SetupChoices,
): Promise<SetupPlan> {
  const identity = await detectIdentity(clients.sts);
  const desired = desiredIam({
    ...choices,
    accountId: identity.accountId,
    partition: identity.partition,
  });
  const check = await checkIam(clients.iam, desired);

  return { identity, choices, desired, check, iam: planIam(check) };
}

/** Progress of applying a setup: the IAM steps, then the bucket. */
export type SetupEvent =
  | ApplyEvent
  | { readonly type: 'bucket-ready'; readonly bucket: string; readonly state: BucketState };

/** Apply the IAM plan, then make sure the bucket exists. */
export async function applySetup(
  clients: { readonly iam: IAMClient; readonly s3: S3Client },
  plan: SetupPlan,
  options: { onEvent?: (event: SetupEvent) => void; endpoint?: string } = {},
): Promise<{ iam: ApplyResult; bucket: BucketState }> {
  const iam = await applyIam(clients.iam, plan.iam, { onEvent: options.onEvent });
  const target = {
    bucket: plan.choices.bucket,
    region: plan.choices.region,
    endpoint: options.endpoint,
  };
  const bucket = await ensureBucket(clients.s3, target);
  options.onEvent?.({ type: 'bucket-ready', bucket: target.bucket, state: bucket });

  return { iam, bucket };
}

/** What writing the config file did. */
export type ConfigWrite = 'created' | 'updated' | 'unchanged';

/**
 * Merge settings into the config file, keeping every other key, and write it atomically. A
 * file that already says the same is not touched.
 */
export async function writeConfigFile(
  path: string,
  settings: Partial<Record<ConfigKey, unknown>>,
): Promise<ConfigWrite> {
  for (const [key, value] of Object.entries(settings)) {
    const spec = configKeys[key as ConfigKey];
    if (!spec) throw new ConfigError(`setup: unknown config key '${key}'`);
    if (!spec.schema.safeParse(value).success) {
      throw new ConfigError(
        `setup: ${key}: expected ${spec.expected}, got ${JSON.stringify(value)}`,
      );
    }
  }

  const existing = await readExisting(path);
  const merged = { ...(existing ?? {}), ...settings };
  const text = `${JSON.stringify(merged, null, 2)}\n`;
  if (existing && JSON.stringify(existing) === JSON.stringify(merged)) return 'unchanged';

  await writeFileAtomic(path, text);

  return existing ? 'updated' : 'created';
}

async function readExisting(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }

  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // Reported below with the path.
  }
  throw new ConfigError(`config file ${path} is not a JSON object; setup will not overwrite it`, {
    hint: 'fix or move the file, then run the setup again',
  });
}
