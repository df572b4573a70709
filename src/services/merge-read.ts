/**
 * Reading a shard's part back from where it was uploaded. S3 needs s3:GetObject for that,
 * which the s3_upload policy deliberately lacks; the merge therefore reads a part from the bucket
 * only when the day folder does not hold an identical copy (as it does after `--shards N
 * --local`, where every shard wrote into the same folder).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCredentialProblem, sdkErrorParts, toTickopsError } from './aws-errors.js';
import { AccessDeniedError } from './errors.js';
import type { BucketTarget } from './s3.js';

/** Where parts are read from when the day folder has no copy. */
export interface PartReader {
  /** The object's text, or undefined when there is no such object. */
  read(key: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** Read parts from an S3 bucket with GetObject. */
export function createS3PartReader(s3: S3Client, target: BucketTarget): PartReader {
  return {
    async read(key, signal) {
      try {
        const reply = await s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }), {
          abortSignal: signal,
        });
        return await reply.Body?.transformToString('utf8');
      } catch (error) {
        const { status, name } = sdkErrorParts(error);
        if (status === 404 || name === 'NoSuchKey') return undefined;
        if (status === 403 && !isCredentialProblem(error)) {
          throw new AccessDeniedError(
            `access denied: s3:GetObject on s3://${target.bucket}/${key}`,
            {
              hint:
                "merging reads the shards' parts: use credentials allowed s3:GetObject on the " +
                'manifests prefix, or merge on the host whose day folder holds the parts',
              cause: error,
            },
          );
        }
        throw toTickopsError(error, {
          action: 's3:GetObject',
          resource: `s3://${target.bucket}/${key}`,
          endpoint: target.endpoint,
        });
      }
    },
  };
}

/** Read parts from a folder sink (`--local-sink`): `root/bucket/key`. */
export function createFolderPartReader(root: string, bucket: string): PartReader {
  return {
    read: (key) => readFile(join(root, bucket, ...key.split('/')), 'utf8').catch(() => undefined),
  };
}
