/**
 * Reading the bucket for the console: one folder level at a time (ListObjectsV2 with a `/`
 * delimiter, every page), an object's text for previews, and a copy into the data directory.
 * Reading objects needs s3:GetObject, which the s3_upload policy does not grant; that case is
 * an AccessDeniedError whose hint says so, for the screen to show in place.
 */
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { toTickopsError } from './aws-errors.js';
import { AccessDeniedError, TickopsError } from './errors.js';
import type { RemoteObject } from './etag.js';
import { decodeListedKey, type BucketTarget } from './s3.js';

/** One level of the bucket under a prefix. */
export interface BucketLevel {
  readonly prefix: string;
  /** Sub-prefixes, each ending with `/`. */
  readonly folders: readonly string[];
  readonly objects: readonly RemoteObject[];
  /** True when the listing stopped at `maxKeys` before the end. */
  readonly truncated: boolean;
}

/** List one level, following continuation tokens up to `maxKeys` entries. */
export async function listLevel(
  s3: S3Client,
  target: BucketTarget,
  prefix: string,
  options: { maxKeys?: number; signal?: AbortSignal } = {},
): Promise<BucketLevel> {
  const maxKeys = options.maxKeys ?? 10_000;
  const folders: string[] = [];
  const objects: RemoteObject[] = [];
  const pages = paginateListObjectsV2(
    { client: s3, pageSize: 1000 },
    { Bucket: target.bucket, Prefix: prefix, Delimiter: '/' },
  );

  try {
    for await (const page of pages) {
      options.signal?.throwIfAborted();
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix) folders.push(decodeListedKey(common.Prefix, page.EncodingType));
      }
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        const key = decodeListedKey(item.Key, page.EncodingType);
        objects.push({
          key,
          size: item.Size ?? 0,
          etag: item.ETag,
          lastModified: item.LastModified,
        });
      }
      if (folders.length + objects.length >= maxKeys)
        return { prefix, folders, objects, truncated: true };
    }
  } catch (error) {
    throw toTickopsError(error, {
      action: 's3:ListBucket',
      resource: `s3://${target.bucket}/${prefix}`,
      endpoint: target.endpoint,
    });
  }

  return { prefix, folders, objects, truncated: false };
}

/** An object's bytes, at most `maxBytes` of them (a preview needs no more). */
export async function readObject(
  s3: S3Client,
  target: BucketTarget,
  key: string,
  options: { maxBytes?: number; signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  try {
    const reply = await s3.send(
      new GetObjectCommand({ Bucket: target.bucket, Key: key, Range: `bytes=0-${maxBytes - 1}` }),
      { abortSignal: options.signal },
    );
    return (await reply.Body?.transformToByteArray()) ?? new Uint8Array();
  } catch (error) {
    const wrapped = toTickopsError(error, {
      action: 's3:GetObject',
      resource: `s3://${target.bucket}/${key}`,
      endpoint: target.endpoint,
    });
    if (wrapped instanceof AccessDeniedError) {
      throw new AccessDeniedError(wrapped.message, {
        hint: 'run with credentials that allow s3:GetObject (the s3_upload policy only writes)',
        cause: error,
      });
    }
    throw wrapped;
  }
}

/** Copy an object into `<dataDirectory>/downloads/<key>`; returns the local path. */
export async function downloadObject(
  s3: S3Client,
  target: BucketTarget,
  key: string,
  dataDirectory: string,
): Promise<string> {
  if (key.split('/').includes('..')) {
    throw new TickopsError(`refusing to download ${key}: the key climbs out of the folder`);
  }

  const path = join(dataDirectory, 'downloads', ...key.split('/'));
  await writeFileAtomic(path, await readObject(s3, target, key, { maxBytes: 512 * 1024 * 1024 }));

  return path;
}
