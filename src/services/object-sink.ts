/**
 * Where a run's objects go. The real sink is an S3 bucket; the demo falls back to a local
 * folder that behaves like one when no emulator is installed. The uploader sees only this.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { md5Hex, type RemoteObject } from './etag.js';
import type { Logger } from './logger.js';
import { ensureBucket, listObjects, putObject, type BucketState, type BucketTarget } from './s3.js';

/** A place objects are put. */
export interface ObjectSink {
  /** `s3://ftse100 (eu-west-1)` or `folder /tmp/x`, for messages. */
  readonly description: string;
  ensureReady(signal?: AbortSignal): Promise<BucketState>;
  list(prefix: string, signal?: AbortSignal): Promise<Map<string, RemoteObject>>;
  put(
    key: string,
    body: Uint8Array,
    contentType: string,
    signal?: AbortSignal,
  ): Promise<string | undefined>;
}

/** A sink over an S3 bucket. */
export function createS3Sink(s3: S3Client, target: BucketTarget, logger?: Logger): ObjectSink {
  const where = target.endpoint ? `, emulator at ${target.endpoint}` : '';

  return {
    description: `s3://${target.bucket} (${target.region}${where})`,
    ensureReady: (signal) => ensureBucket(s3, target, { logger, signal }),
    list: (prefix, signal) => listObjects(s3, target, prefix, { signal }),
    put: (key, body, contentType, signal) =>
      putObject(
        s3,
        target,
        { key, body, contentType, md5Base64: Buffer.from(md5Hex(body), 'hex').toString('base64') },
        { signal },
      ),
  };
}

/**
 * A sink that keeps objects as files under `root/bucket/`, for running without S3. ETags are
 * plain MD5s, as S3 gives a single-part upload.
 */
export function createFolderSink(root: string, bucket: string): ObjectSink {
  const base = join(root, bucket);

  return {
    description: `folder ${base} (no S3)`,
    ensureReady: async () => {
      const existed = await stat(base).then(
        () => true,
        () => false,
      );
      await mkdir(base, { recursive: true });
      return existed ? 'exists' : 'created';
    },
    list: async (prefix) => {
      const objects = new Map<string, RemoteObject>();
      for (const path of await listFiles(base)) {
        const key = relative(base, path).split(sep).join('/');
        if (!key.startsWith(prefix)) continue;
        const body = await readFile(path);
        objects.set(key, { key, size: body.byteLength, etag: `"${md5Hex(body)}"` });
      }
      return objects;
    },
    put: async (key, body) => {
      await writeFileAtomic(join(base, ...key.split('/')), body);
      return `"${md5Hex(body)}"`;
    },
  };
}

async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return listFiles(path);
      return Promise.resolve(entry.name.includes('.tmp-') ? [] : [path]);
    }),
  );

  return nested.flat();
}
