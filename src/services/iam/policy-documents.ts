/**
 * The two `s3_upload` documents tickops offers. The original's four actions on `*` are kept
 * for compatibility with the system it replaces; least privilege grants only what
 * `tickops --run-today` calls (see src/services/s3.ts) and only on the configured bucket.
 */
import type { KeyLayout } from '../config.js';
import { partsPattern } from '../shard-part.js';
import type { PolicyDocument, PolicyStatement } from './policy-json.js';

/** Which `s3_upload` document to put in place. */
export type PolicyFlavour = 'least-privilege' | 'original';

/** The flavours, default first. */
export const policyFlavours: readonly PolicyFlavour[] = ['least-privilege', 'original'];

/** Why each action is in one document or the other, in the operator's words. */
export const actionReasons: Readonly<Record<string, string>> = {
  's3:PutObject': 'uploads the raw responses, the CSV bars and the manifest',
  's3:ListBucket':
    'ListObjectsV2: probes that the bucket exists and lists what the day already holds',
  's3:CreateBucket': 'creates the bucket on the first run',
  's3:ListAllMyBuckets': 'never called by --run-today; kept only for the original system',
  's3:GetObject':
    "sharded runs only: reads the shards' manifest parts back, so the last shard merges the day",
};

/** What the role is for beyond the daily job on one machine. */
export interface PolicyUse {
  /** The role also runs shards (AWS Batch or ECS), each of which may merge the day. */
  readonly shards: boolean;
}

/** The original system's policy, exactly as it was: four actions on every resource. */
export function originalS3UploadPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:ListAllMyBuckets', 's3:ListBucket', 's3:CreateBucket'],
        Resource: '*',
      },
    ],
  };
}

/** The ARN of a bucket, e.g. `arn:aws:s3:::ftse100`. */
export function bucketArn(bucket: string, partition = 'aws'): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/**
 * The fixed start of a key template: `raw/{date}/{ticker}.{ext}` gives `raw/`. Everything the
 * run writes under that template starts with it, so `prefix*` covers the template exactly.
 */
export function templatePrefix(template: string): string {
  const placeholder = template.indexOf('{');

  return placeholder === -1 ? template : template.slice(0, placeholder);
}

/** Object ARNs the run writes to: one `prefix*` per key template of the layout. */
export function objectArns(bucket: string, layout: KeyLayout, partition = 'aws'): string[] {
  const templates = [layout.raw, layout.bars, layout.manifest];
  const arns = templates.map(
    (template) => `${bucketArn(bucket, partition)}/${templatePrefix(template)}*`,
  );

  return [...new Set(arns)];
}

/**
 * Least privilege for the daily job: PutObject under the layout's prefixes (by default
 * `raw/*`, `bars/*`, `manifests/*`), and ListBucket plus CreateBucket on the bucket itself.
 * No DeleteObject, and GetObject only on the shards' manifest parts when the role runs shards,
 * so a stolen credential can add data but neither read the day's data nor destroy it; no
 * ListAllMyBuckets, which the job never calls.
 */
export function leastPrivilegeS3UploadPolicy(
  bucket: string,
  layout: KeyLayout,
  partition = 'aws',
  use: PolicyUse = { shards: false },
): PolicyDocument {
  const readParts: PolicyStatement = {
    Sid: 'MergeShardParts',
    Effect: 'Allow',
    Action: ['s3:GetObject'],
    Resource: [shardPartsArn(bucket, layout, partition)],
  };

  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'UploadDayObjects',
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: objectArns(bucket, layout, partition),
      },
      {
        Sid: 'FindAndCreateBucket',
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:CreateBucket'],
        Resource: [bucketArn(bucket, partition)],
      },
      ...(use.shards ? [readParts] : []),
    ],
  };
}

/** The ARN pattern of every day's shard manifest parts in the bucket. */
export function shardPartsArn(bucket: string, layout: KeyLayout, partition = 'aws'): string {
  return `${bucketArn(bucket, partition)}/${partsPattern(layout.manifest)}`;
}

/** The document of a flavour for a bucket. */
export function s3UploadPolicy(
  flavour: PolicyFlavour,
  bucket: string,
  layout: KeyLayout,
  partition = 'aws',
  use: PolicyUse = { shards: false },
): PolicyDocument {
  return flavour === 'original'
    ? originalS3UploadPolicy()
    : leastPrivilegeS3UploadPolicy(bucket, layout, partition, use);
}
