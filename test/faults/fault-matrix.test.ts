/**
 * The fault matrix: every row is a whole `tickops --run-today` against the local source server
 * and moto (through a fault proxy where S3 misbehaves), asserting the end state: exit code,
 * message, local files, manifest, keys in the bucket, and the clean-end rules of fault-helpers.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createMotoS3Client, describeWithMoto } from '../support/moto.js';
import { startSourceServer, type Fault, type SourceServer } from '../support/source-server.js';
import {
  startS3FaultProxy,
  type S3FaultProxy,
  type S3FaultRule,
} from '../support/s3-fault-proxy.js';
import { runTickops } from '../support/cli.js';
import { expectCleanEnd } from './fault-helpers.js';

const date = '2024-10-25';
const secret = 'fault-matrix-secret-never-printed';

interface SourceRow {
  readonly name: string;
  readonly faults: Record<string, Fault[]>;
  readonly exitCode: number;
  readonly statuses: Record<string, 'done' | 'empty' | 'failed'>;
  readonly stdout?: RegExp;
}

const sourceRows: readonly SourceRow[] = [
  {
    name: '429 with Retry-After',
    faults: { 'BARC.L': [{ kind: '429', retryAfterSeconds: 1 }] },
    exitCode: 0,
    statuses: { BARC: 'done', VOD: 'done' },
  },
  {
    name: '429 without Retry-After, text/html body',
    faults: { 'BARC.L': [{ kind: '429', body: 'html' }, { kind: '429' }] },
    exitCode: 0,
    statuses: { BARC: 'done', VOD: 'done' },
  },
  {
    name: '500/503 burst',
    faults: { 'BARC.L': [{ kind: '503' }, { kind: '500' }], 'VOD.L': [{ kind: '500' }] },
    exitCode: 0,
    statuses: { BARC: 'done', VOD: 'done' },
  },
  {
    name: 'connection reset',
    faults: { 'BARC.L': [{ kind: 'reset' }, { kind: 'reset-mid-body' }] },
    exitCode: 0,
    statuses: { BARC: 'done', VOD: 'done' },
  },
  {
    name: 'timeout',
    faults: { 'BARC.L': [{ kind: 'hang' }] },
    exitCode: 0,
    statuses: { BARC: 'done', VOD: 'done' },
  },
  {
    name: 'truncated JSON',
    faults: { 'BARC.L': [{ kind: 'truncated' }] },
    exitCode: 0,
    statuses: { BARC: 'done', VOD: 'done' },
  },
  {
    name: 'HTML error page with status 200',
    faults: { 'BARC.L': [{ kind: 'html200' }] },
    exitCode: 0,
    statuses: { BARC: 'done', VOD: 'done' },
  },
  {
    name: 'empty day',
    faults: { 'BARC.L': [{ kind: 'empty' }] },
    exitCode: 0,
    statuses: { BARC: 'empty', VOD: 'done' },
  },
  {
    name: 'unknown symbol',
    faults: { 'BARC.L': [{ kind: 'unknown' }] },
    exitCode: 1,
    statuses: { BARC: 'failed', VOD: 'done' },
    stdout: /^failed +BARC +no data \(symbol may be delisted or wrong\)$/m,
  },
  {
    name: 'rate limited throughout (every worker waits out the pause)',
    faults: {
      'BARC.L': Array(10).fill({ kind: '429', retryAfterSeconds: 1 }),
      'VOD.L': Array(10).fill({ kind: '429', retryAfterSeconds: 1 }),
    },
    exitCode: 1,
    statuses: { BARC: 'failed', VOD: 'failed' },
    stdout: /^failed +VOD +rate limited after 3 attempts; source asked to wait 1s$/m,
  },
  {
    name: 'one ticker that always fails',
    faults: { 'BARC.L': Array(20).fill({ kind: '503' }) },
    exitCode: 1,
    statuses: { BARC: 'failed', VOD: 'done' },
    stdout: /^failed +BARC +.*503.*\(gave up after 3 attempts\)$/m,
  },
];

interface S3Row {
  readonly name: string;
  readonly rules: (bucket: string) => S3FaultRule[];
  readonly exitCode: number;
  readonly stderr?: RegExp;
  readonly landed: boolean;
}

const s3Rows: readonly S3Row[] = [
  {
    name: 'SlowDown 503 on PUT',
    exitCode: 0,
    landed: true,
    rules: (bucket) => [
      {
        method: 'PUT',
        path: new RegExp(`^/${bucket}/raw/`),
        fault: { kind: 'slow-down' },
        times: 2,
      },
    ],
  },
  {
    name: 'connection reset mid-upload',
    exitCode: 0,
    landed: true,
    rules: (bucket) => [
      {
        method: 'PUT',
        path: new RegExp(`^/${bucket}/bars/`),
        fault: { kind: 'reset-mid-upload' },
        times: 1,
      },
    ],
  },
  { name: 'bucket missing (created)', exitCode: 0, landed: true, rules: () => [] },
  {
    name: 'bucket owned by someone else',
    exitCode: 3,
    landed: false,
    stderr: /^tickops: bucket tickops-f-\d+ exists but these credentials cannot use it$/m,
    rules: (bucket) => [
      {
        method: 'GET',
        path: new RegExp(`^/${bucket}`),
        times: Infinity,
        fault: { kind: 'reply', status: 403, code: 'AccessDenied', message: 'Access Denied' },
      },
    ],
  },
  {
    name: 'credentials refused (a mistyped key), not taken for a foreign bucket',
    exitCode: 3,
    landed: false,
    stderr:
      /^tickops: AWS credentials were not accepted for s3:ListBucket .*: InvalidAccessKeyId$/m,
    rules: (bucket) => [
      {
        method: 'GET',
        path: new RegExp(`^/${bucket}`),
        times: Infinity,
        fault: {
          kind: 'reply',
          status: 403,
          code: 'InvalidAccessKeyId',
          message: 'The AWS Access Key Id you provided does not exist in our records.',
        },
      },
    ],
  },
  {
    name: 'a session token S3 does not know (400 InvalidToken)',
    exitCode: 3,
    landed: false,
    stderr:
      /^tickops: AWS credentials were not accepted for s3:ListBucket .*: InvalidToken\n {2}next: /m,
    rules: (bucket) => [
      {
        method: 'GET',
        path: new RegExp(`^/${bucket}`),
        times: Infinity,
        fault: {
          kind: 'reply',
          status: 400,
          code: 'InvalidToken',
          message: 'The provided token is malformed or otherwise invalid.',
        },
      },
    ],
  },
  {
    name: 'bucket name taken',
    exitCode: 1,
    landed: false,
    stderr: /^tickops: bucket name tickops-f-\d+ is taken by another AWS account$/m,
    rules: (bucket) => [
      {
        method: 'PUT',
        path: new RegExp(`^/${bucket}/?$`),
        times: Infinity,
        fault: {
          kind: 'reply',
          status: 409,
          code: 'BucketAlreadyExists',
          message: 'not available',
        },
      },
    ],
  },
  {
    name: 'access denied on the manifest PUT only',
    exitCode: 3,
    landed: false,
    stderr:
      /^tickops: access denied: s3:PutObject on s3:\/\/tickops-f-\d+\/manifests\/20241025\.json\n {2}next: /m,
    rules: (bucket) => [
      {
        method: 'PUT',
        path: new RegExp(`^/${bucket}/manifests/`),
        times: Infinity,
        fault: { kind: 'reply', status: 403, code: 'AccessDenied', message: 'Access Denied' },
      },
    ],
  },
  {
    name: 'the manifest PUT failing on every retry (500)',
    exitCode: 1,
    landed: false,
    stderr: /^tickops: manifests\/20241025\.json was not uploaded: .*\n {2}next: run again/m,
    rules: (bucket) => [
      {
        method: 'PUT',
        path: new RegExp(`^/${bucket}/manifests/`),
        times: Infinity,
        fault: { kind: 'reply', status: 500, code: 'InternalError', message: 'We are sorry' },
      },
    ],
  },
  {
    name: 'access denied on PUT',
    exitCode: 3,
    landed: false,
    stderr: /^tickops: access denied: s3:PutObject on s3:\/\/tickops-f-\d+\/(raw|bars)\//m,
    rules: (bucket) => [
      {
        method: 'PUT',
        path: new RegExp(`^/${bucket}/.+`),
        times: Infinity,
        fault: { kind: 'reply', status: 403, code: 'AccessDenied', message: 'Access Denied' },
      },
    ],
  },
];

describeWithMoto('fault matrix: tickops --run-today end to end', (getMoto) => {
  let folder: string;
  let source: SourceServer | undefined;
  let proxy: S3FaultProxy | undefined;
  let bucketIndex = 0;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'tickops-faults-'));
    await writeFile(join(folder, 'tickers.txt'), 'BARC\nVOD\n');
  });

  afterEach(async () => {
    await source?.close();
    await proxy?.close();
    source = undefined;
    proxy = undefined;
    await rm(folder, { recursive: true, force: true });
  });

  const run = (bucket: string, endpoint: string) =>
    runTickops(
      [
        '--run-today',
        '--tickers',
        join(folder, 'tickers.txt'),
        '--retries',
        '2',
        '--request-timeout',
        '1000',
      ],
      {
        ...getMoto().env,
        AWS_ENDPOINT_URL: endpoint,
        AWS_SECRET_ACCESS_KEY: secret,
        TICKOPS_BUCKET: bucket,
        TICKOPS_SOURCE_URL: source?.url ?? 'http://127.0.0.1:9',
        TICKOPS_DATA_DIR: join(folder, 'data'),
        TICKOPS_NOW: `${date}T17:00:00Z`,
        TICKOPS_LOG_LEVEL: 'debug',
      },
    );

  async function keysOf(bucket: string): Promise<string[]> {
    const reply = await createMotoS3Client(getMoto())
      .send(new ListObjectsV2Command({ Bucket: bucket }))
      .catch(() => ({ Contents: [] }));

    return (reply.Contents ?? []).map((item) => item.Key ?? '').sort();
  }

  it.each(sourceRows.map((row) => [row.name, row] as const))('source: %s', async (_name, row) => {
    source = await startSourceServer({ date, faults: row.faults });
    const bucket = `tickops-f-${(bucketIndex += 1)}`;

    const result = await run(bucket, getMoto().endpoint);

    // The run's own words, should the code be wrong: a flake on a loaded machine needs them.
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(row.exitCode);
    if (row.stdout) expect(result.stdout).toMatch(row.stdout);
    const manifest = JSON.parse(
      await readFile(join(folder, 'data/20241025/manifest.json'), 'utf8'),
    );
    const statuses = Object.fromEntries(
      manifest.tickers.map((entry: { ticker: string; status: string }) => [
        entry.ticker,
        entry.status,
      ]),
    );
    expect(statuses).toEqual(row.statuses);
    const keys = await keysOf(bucket);
    for (const [ticker, status] of Object.entries(row.statuses)) {
      expect(keys.includes(`bars/20241025/${ticker}.csv`)).toBe(status !== 'failed');
    }
    expect(keys).toContain('manifests/20241025.json');
    await expectCleanEnd(result, join(folder, 'data'), secret);
  });

  it.each(s3Rows.map((row) => [row.name, row] as const))('S3: %s', async (_name, row) => {
    source = await startSourceServer({ date });
    const bucket = `tickops-f-${(bucketIndex += 1)}`;
    proxy = await startS3FaultProxy(getMoto().endpoint, row.rules(bucket));

    const result = await run(bucket, proxy.url);

    expect(result.exitCode).toBe(row.exitCode);
    if (row.stderr) expect(result.stderr).toMatch(row.stderr);
    const keys = await keysOf(bucket);
    expect(keys.includes('manifests/20241025.json')).toBe(row.landed);
    if (row.landed) expect(keys).toHaveLength(5);
    if (row.rules(bucket).length > 0) expect(proxy.fired.some((count) => count > 0)).toBe(true);
    await expectCleanEnd(result, join(folder, 'data'), secret);
  });
});
