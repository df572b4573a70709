/**
 * Upload: our `Uploader` (list, then PUT what is missing) against the original `copy_to_s3`
 * (one PutObject at a time), both through the delay proxy into a fresh bucket per run.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DayStore } from '../src/services/day-store.js';
import { emulatorRegion } from '../src/services/local-emulator.js';
import { createS3Sink } from '../src/services/object-sink.js';
import { objectKey } from '../src/services/run-day.js';
import { UploadLedger, Uploader, type UploadItem } from '../src/services/uploader.js';
import { baselineRuns, concurrency, date, layout, oursRuns, s3DelayMs } from './support/day.js';
import { createBucket, expectAllStored } from './support/s3.js';
import { row, share, times, type Report } from './support/table.js';
import { measure } from './support/timing.js';

/** Ours must be at least this many times faster than one PUT at a time. */
const targetRatio = 5;

/** The raw JSON and the CSV of every ticker in the store, keyed as `runDay` keys them. */
export async function uploadItems(store: DayStore): Promise<UploadItem[]> {
  const entries = [...(await store.readEntries()).values()];

  return entries.flatMap((entry) => [
    {
      key: objectKey(layout.raw, date, entry.ticker, 'json'),
      path: store.pathOf(entry.raw?.file ?? ''),
      contentType: 'application/json',
    },
    {
      key: objectKey(layout.bars, date, entry.ticker),
      path: store.pathOf(entry.csv?.file ?? ''),
      contentType: 'text/csv; charset=utf-8',
    },
  ]);
}

/** The original copy_to_s3: one PutObject at a time, each run into a fresh bucket. */
async function measureSequentialPuts(s3: S3Client, endpoint: string, items: UploadItem[]) {
  const buckets: string[] = [];
  const seconds = await measure(baselineRuns, async (run) => {
    const bucket = `bench-seq-${run}`;
    await createBucket(s3, endpoint, bucket);
    buckets.push(bucket);
    return async () => {
      for (const item of items) {
        const body = await readFile(item.path);
        const put = { Bucket: bucket, Key: item.key, Body: body, ContentType: item.contentType };
        await s3.send(new PutObjectCommand(put));
      }
    };
  });

  await expectAllStored(s3, endpoint, buckets, keysOf(items));

  return seconds;
}

/** Our Uploader, each run into a fresh bucket: list it, as runDay does, then put what it lacks. */
async function measureUploader(root: string, s3: S3Client, endpoint: string, items: UploadItem[]) {
  const buckets: string[] = [];
  const seconds = await measure(oursRuns, async (run) => {
    const bucket = `bench-ours-${new URL(endpoint).port}-${run}`;
    const sink = createS3Sink(s3, { bucket, region: emulatorRegion, endpoint });
    await sink.ensureReady();
    buckets.push(bucket);
    const ledger = await UploadLedger.load(join(root, `ledger-${bucket}.json`));
    return async () => {
      const uploader = new Uploader({ sink, existing: await sink.list(''), ledger, concurrency });
      const results = await Promise.all(items.map((item) => uploader.upload(item)));
      const bad = results.filter((result) => result !== 'uploaded');
      if (bad.length > 0) throw new Error(`upload: ${bad.length} objects not uploaded`);
    };
  });

  await expectAllStored(s3, endpoint, buckets, keysOf(items));

  return seconds;
}

function keysOf(items: readonly UploadItem[]): string[] {
  return items.map((item) => item.key);
}

/** What `benchUpload` needs: the delayed path to moto and the direct one. */
export interface UploadTargets {
  readonly delayed: { readonly s3: S3Client; readonly endpoint: string };
  readonly direct: { readonly s3: S3Client; readonly endpoint: string };
}

/** Measure sequential PUTs and ours; resolves with ours' median seconds, for the sync area. */
export async function benchUpload(
  report: Report,
  root: string,
  targets: UploadTargets,
  items: UploadItem[],
) {
  const sizes = await Promise.all(items.map(async (item) => (await readFile(item.path)).length));
  const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
  const total = sizes.reduce((sum, size) => sum + size, 0);
  report.notes.push(
    `upload: ${items.length} objects of ${kB(Math.min(...sizes))} to ` +
      `${kB(Math.max(...sizes))}, ${kB(total)} in all`,
  );

  // A fresh bucket per run, so both sides PUT every object; bucket creation is not timed.
  const { s3, endpoint } = targets.delayed;
  const sequential = await measureSequentialPuts(s3, endpoint, items);
  const ours = await measureUploader(root, s3, endpoint, items);
  // The same uploads straight to moto: what moto itself can take, with no delay at all.
  const floor = await measureUploader(root, targets.direct.s3, targets.direct.endpoint, items);

  // Only the added delay is bounded here; moto's own time per PUT comes on top.
  const bound = (items.length * s3DelayMs) / 1000 / concurrency;
  const ratio = sequential / ours;
  report.rows.push(
    row('upload, sequential PutObject', sequential, '1.0x'),
    row(
      `upload, ours c=${concurrency}`,
      ours,
      times(ratio),
      `>= ${targetRatio}x`,
      ratio >= targetRatio,
    ),
    row('upload, bound N*D/C', bound, share(bound, ours)),
    row(`upload, ours c=${concurrency} without delay`, floor, share(floor, ours)),
  );

  return { sequential, ours };
}
