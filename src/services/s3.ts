/**
 * The bucket: make sure it exists (and is ours, in our region), list what a date prefix holds,
 * and put objects. Only the calls the s3_upload policy allows are used: s3:ListBucket
 * (ListObjectsV2), s3:CreateBucket and s3:PutObject.
 *
 * Existence is probed with a one-key ListObjectsV2 rather than HeadBucket. On AWS both need
 * s3:ListBucket and answer alike (404 NoSuchBucket, 403, 301 with x-amz-bucket-region), but
 * emulators such as moto check HeadBucket against an `s3:HeadBucket` action that does not
 * exist in IAM, which would fail a correctly scoped s3_upload policy.
 */
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AccessDeniedError, AwsResourceError, ConfigError } from './errors.js';
import { isCredentialProblem, sdkErrorParts, toTickopsError } from './aws-errors.js';
import type { RemoteObject } from './etag.js';
import { silentLogger, type Logger } from './logger.js';

/** Which bucket, where. */
export interface BucketTarget {
  readonly bucket: string;
  readonly region: string;
  readonly endpoint?: string;
}

/** How ensureBucket found the bucket. */
export type BucketState = 'exists' | 'created';

/**
 * The CreateBucket configuration for a region: us-east-1 rejects an explicit constraint and
 * every other region rejects its absence.
 */
export function locationConstraintFor(
  region: string,
): { LocationConstraint: BucketLocationConstraint } | undefined {
  return region === 'us-east-1'
    ? undefined
    : { LocationConstraint: region as BucketLocationConstraint };
}

/** Make sure the bucket exists and is usable; create it when it is missing. */
export async function ensureBucket(
  s3: S3Client,
  target: BucketTarget,
  options: { logger?: Logger; signal?: AbortSignal } = {},
): Promise<BucketState> {
  const logger = options.logger ?? silentLogger;
  const context = {
    action: 's3:ListBucket',
    resource: `bucket ${target.bucket}`,
    endpoint: target.endpoint,
  };

  try {
    await s3.send(new ListObjectsV2Command({ Bucket: target.bucket, MaxKeys: 1 }), {
      abortSignal: options.signal,
    });
    return 'exists';
  } catch (error) {
    const { status, name, header } = sdkErrorParts(error);
    const actualRegion = header('x-amz-bucket-region');
    if (
      status === 301 ||
      name === 'PermanentRedirect' ||
      (actualRegion && actualRegion !== target.region)
    ) {
      throw new ConfigError(
        `bucket ${target.bucket} is in ${actualRegion ?? 'another region'}, not ${target.region}`,
        {
          hint: `run with --region ${actualRegion ?? '<its region>'} (or TICKOPS_REGION)`,
          cause: error,
        },
      );
    }
    if (status === 403 && !isCredentialProblem(error)) {
      throw new AccessDeniedError(
        `bucket ${target.bucket} exists but these credentials cannot use it`,
        {
          hint:
            'it may belong to another account (choose another --bucket), ' +
            'or grant s3:ListBucket',
          cause: error,
        },
      );
    }
    if (status !== 404 && name !== 'NotFound' && name !== 'NoSuchBucket') {
      throw toTickopsError(error, context);
    }
  }

  logger.info('creating bucket', { bucket: target.bucket, region: target.region });

  return createBucket(s3, target, options.signal);
}

async function createBucket(
  s3: S3Client,
  target: BucketTarget,
  signal?: AbortSignal,
): Promise<BucketState> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: target.bucket,
        CreateBucketConfiguration: locationConstraintFor(target.region),
      }),
      { abortSignal: signal },
    );
    return 'created';
  } catch (error) {
    const { name } = sdkErrorParts(error);
    // A concurrent run, or an earlier one whose reply was lost, may have created it already.
    if (name === 'BucketAlreadyOwnedByYou') return 'exists';
    if (name === 'BucketAlreadyExists') {
      throw new AwsResourceError(`bucket name ${target.bucket} is taken by another AWS account`, {
        hint: 'bucket names are global: choose another with --bucket, e.g. add your account id',
        cause: error,
      });
    }
    if (name === 'InvalidLocationConstraint' || name === 'IllegalLocationConstraintException') {
      throw new ConfigError(`S3 refused to create ${target.bucket} in ${target.region}: ${name}`, {
        hint: 'check --region: the client region and the bucket location must agree',
        cause: error,
      });
    }
    throw toTickopsError(error, {
      action: 's3:CreateBucket',
      resource: `bucket ${target.bucket}`,
      endpoint: target.endpoint,
    });
  }
}

/**
 * Decode a listed key. Keys come back verbatim unless EncodingType=url was requested, in which
 * case S3 form-encodes them: `+` is a space and `%2B` a literal plus.
 */
export function decodeListedKey(key: string, encodingType: string | undefined): string {
  if (encodingType !== 'url') return key;

  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** Every object under a prefix, across as many pages as there are. */
export async function listObjects(
  s3: S3Client,
  target: BucketTarget,
  prefix: string,
  options: { signal?: AbortSignal } = {},
): Promise<Map<string, RemoteObject>> {
  const objects = new Map<string, RemoteObject>();
  const pages = paginateListObjectsV2(
    { client: s3, pageSize: 1000 },
    { Bucket: target.bucket, Prefix: prefix },
  );

  try {
    for await (const page of pages) {
      options.signal?.throwIfAborted();
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        const key = decodeListedKey(item.Key, page.EncodingType);
        objects.set(key, {
          key,
          size: item.Size ?? 0,
          etag: item.ETag,
          lastModified: item.LastModified,
        });
      }
    }
  } catch (error) {
    throw toTickopsError(error, {
      action: 's3:ListBucket',
      resource: `s3://${target.bucket}/${prefix}`,
      endpoint: target.endpoint,
    });
  }

  return objects;
}

/** Put one object; returns the ETag S3 assigned. */
export async function putObject(
  s3: S3Client,
  target: BucketTarget,
  object: { key: string; body: Uint8Array; contentType: string; md5Base64: string },
  options: { signal?: AbortSignal } = {},
): Promise<string | undefined> {
  try {
    const reply = await s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
        ContentMD5: object.md5Base64,
      }),
      { abortSignal: options.signal },
    );
    return reply.ETag;
  } catch (error) {
    throw toTickopsError(error, {
      action: 's3:PutObject',
      resource: `s3://${target.bucket}/${object.key}`,
      endpoint: target.endpoint,
    });
  }
}
