/**
 * When the job last finished: the newest day manifest in the bucket. The manifest is uploaded
 * last, and only once every object of the day is in, so its time is the run's completion.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { KeyLayout } from '../config.js';
import { sdkErrorParts } from '../aws-errors.js';
import { listObjects, type BucketTarget } from '../s3.js';

/** What the bucket says about the last run. */
export type LastUpload =
  | {
      readonly state: 'found';
      readonly key: string;
      /** The trading day, YYYY-MM-DD. */
      readonly date: string;
      /** When S3 received the manifest, ISO-8601. */
      readonly uploadedAt: string | undefined;
    }
  | { readonly state: 'none'; readonly bucketMissing?: boolean }
  | { readonly state: 'unavailable'; readonly reason: string };

/** The listing prefix and a key matcher for a manifest template such as `manifests/{date}.json`. */
export function manifestPattern(template: string): { prefix: string; pattern: RegExp } {
  const [prefix = '', ...rest] = template.split('{date}');
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escape(prefix)}(\\d{8})${rest.map(escape).join('\\d{8}')}$`);

  return { prefix, pattern };
}

/**
 * The manifest of the latest trading day. A layout whose manifest key starts with `{date}`
 * has no prefix to list under, so the whole bucket is listed; the default layout lists only
 * `manifests/`. A failure (no bucket yet, no permission) is reported, not thrown.
 */
export async function findLastUpload(
  s3: S3Client,
  target: BucketTarget,
  layout: KeyLayout,
  options: { signal?: AbortSignal } = {},
): Promise<LastUpload> {
  const { prefix, pattern } = manifestPattern(layout.manifest);

  let newest: { key: string; compact: string; uploadedAt: Date | undefined } | undefined;
  try {
    const objects = await listObjects(s3, target, prefix, options);
    for (const object of objects.values()) {
      const compact = pattern.exec(object.key)?.[1];
      if (compact !== undefined && (newest === undefined || compact > newest.compact)) {
        newest = { key: object.key, compact, uploadedAt: object.lastModified };
      }
    }
  } catch (error) {
    if (sdkErrorParts((error as Error).cause).name === 'NoSuchBucket') {
      return { state: 'none', bucketMissing: true };
    }
    return { state: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
  }

  if (newest === undefined) return { state: 'none' };

  const { compact } = newest;

  return {
    state: 'found',
    key: newest.key,
    date: `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`,
    uploadedAt: newest.uploadedAt?.toISOString(),
  };
}
