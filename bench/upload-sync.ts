/**
 * Upload against `aws s3 sync`: the same objects, laid out on disk as their keys, synced by the
 * installed aws CLI through the same delay proxy into the same moto, a fresh bucket per run.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { emulatorRegion, emulatorRootCredentials } from '../src/services/local-emulator.js';
import type { UploadItem } from '../src/services/uploader.js';
import { concurrency, oursRuns } from './support/day.js';
import { createBucket, expectAllStored } from './support/s3.js';
import { row, times, type Report } from './support/table.js';
import { measure } from './support/timing.js';

const run = promisify(execFile);

/** The aws CLI's own default for `s3 sync`: `max_concurrent_requests`. */
const syncConcurrency = 10;

/**
 * Exactly what the CLI may see: fake credentials, no config or credentials file, no
 * instance-metadata lookups, and a HOME of our own so nothing under ~/.aws is read.
 */
function cliEnvironment(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_ACCESS_KEY_ID: emulatorRootCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emulatorRootCredentials.secretAccessKey,
    AWS_DEFAULT_REGION: emulatorRegion,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

/** Run `aws s3 sync tree s3://bucket/` against `endpoint`; resolves with the keys it uploaded. */
async function sync(home: string, endpoint: string, tree: string, bucket: string) {
  const args = ['--endpoint-url', endpoint, '--region', emulatorRegion, 's3', 'sync'];
  const { stdout } = await run('aws', [...args, tree, `s3://${bucket}/`, '--no-progress'], {
    env: cliEnvironment(home),
    maxBuffer: 16 * 2 ** 20,
  });

  return stdout.split('\n').filter((line) => line.startsWith('upload:'));
}

/**
 * Copy every item to `tree/<key>`, so a sync of the tree stores the keys ours stores. The copies
 * are dated an hour back, as files written before the upload would be: sync re-uploads a file
 * newer than its object, and moto's LastModified has whole seconds, so a copy made in the same
 * second as its upload would look changed to the next sync.
 */
async function layOut(tree: string, items: readonly UploadItem[]) {
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (const item of items) {
    const target = join(tree, item.key);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(item.path, target);
    await utimes(target, anHourAgo, anHourAgo);
  }
}

/** Is the aws CLI on PATH? */
export async function hasAwsCli(home: string): Promise<boolean> {
  try {
    await run('aws', ['--version'], { env: cliEnvironment(home) });
    return true;
  } catch {
    return false;
  }
}

/** Measure `aws s3 sync` into fresh buckets, and with nothing to do; `ours` is from benchUpload. */
export async function benchSync(
  report: Report,
  root: string,
  target: { readonly s3: S3Client; readonly endpoint: string },
  items: readonly UploadItem[],
  measured: { readonly sequential: number; readonly ours: number },
) {
  const tree = join(root, 'sync-tree');
  await layOut(tree, items);
  const { s3, endpoint } = target;
  const buckets: string[] = [];
  const uploads: number[] = [];
  const keys = items.map((item) => item.key);

  const seconds = await measure(oursRuns, async (index) => {
    const bucket = `bench-sync-${index}`;
    await createBucket(s3, endpoint, bucket);
    buckets.push(bucket);
    return async () => {
      uploads.push((await sync(root, endpoint, tree, bucket)).length);
    };
  });
  await expectAllStored(s3, endpoint, buckets, keys);

  // The files are older than the objects, so another sync only lists: start-up and ListObjects.
  const again: number[] = [];
  const idle = await measure(oursRuns, async () => async () => {
    again.push((await sync(root, endpoint, tree, buckets[0] ?? '')).length);
  });
  const version = await measure(oursRuns, async () => async () => {
    await run('aws', ['--version'], { env: cliEnvironment(root) });
  });

  report.notes.push(
    `aws s3 sync: uploaded ${uploads.join(', ')} objects per fresh bucket, ` +
      `${again.join(', ')} when nothing changed; \`aws --version\` alone takes ` +
      `${version.toFixed(2)} s (Python start-up, through the pyenv shim on PATH)`,
  );
  report.rows.push(
    row(
      `upload, aws s3 sync (${syncConcurrency} at a time)`,
      seconds,
      times(measured.sequential / seconds),
    ),
    row(
      `upload, ours c=${concurrency} against aws s3 sync`,
      measured.ours,
      `${times(seconds / measured.ours)} vs sync`,
    ),
    row('upload, aws s3 sync with nothing to do', idle),
  );
}
