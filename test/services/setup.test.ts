import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/services/config.js';
import {
  applySetup,
  detectIdentity,
  planSetup,
  probeBucket,
  suggestBucketName,
  writeConfigFile,
  type SetupEvent,
} from '../../src/services/setup.js';
import { failure } from '../support/failure.js';
import {
  createMotoS3Client,
  describeWithMoto,
  motoRegion,
  motoRootCredentials,
} from '../support/moto.js';

const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};

describe('suggestBucketName', () => {
  it('warns that a short global name like ftse100 is probably taken, adds the account', () => {
    expect(suggestBucketName('ftse100', '111122223333')).toEqual({
      bucket: 'ftse100',
      probablyTaken: true,
      suggestion: 'ftse100-111122223333',
    });
  });

  it('leaves a name that already carries the account id or its own qualifier alone', () => {
    expect(suggestBucketName('ftse100-111122223333', '111122223333').probablyTaken).toBe(false);
    expect(suggestBucketName('acme-market-data', '111122223333').suggestion).toBeUndefined();
  });
});

describe('writeConfigFile', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'tickops-setup-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('creates the file, leaves it untouched when nothing changed; config reads it', async () => {
    const path = join(folder, 'tickops.config.json');

    const first = await writeConfigFile(path, {
      bucket: 'ftse100-111122223333',
      region: 'eu-west-2',
    });
    const before = await stat(path);
    const second = await writeConfigFile(path, {
      bucket: 'ftse100-111122223333',
      region: 'eu-west-2',
    });

    expect(first).toBe('created');
    expect(second).toBe('unchanged');
    expect((await stat(path)).mtimeMs).toBe(before.mtimeMs);
    const config = loadConfig({ cwd: folder, env: {} });
    expect(config).toMatchObject({ bucket: 'ftse100-111122223333', region: 'eu-west-2' });
  });

  it('keeps the keys it was not given', async () => {
    const path = join(folder, 'tickops.config.json');
    await writeFile(path, JSON.stringify({ tickersFile: 'mine.csv', bucket: 'old-bucket' }));

    const result = await writeConfigFile(path, { bucket: 'new-bucket' });

    expect(result).toBe('updated');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      tickersFile: 'mine.csv',
      bucket: 'new-bucket',
    });
  });

  it('refuses bad values, unknown keys and a file that is not a JSON object', async () => {
    const path = join(folder, 'tickops.config.json');

    const badValue = await failure(writeConfigFile(path, { bucket: 'Not_A_Bucket' }));
    const unknown = await failure(writeConfigFile(path, { colour: 'blue' } as never));
    await writeFile(path, '[1, 2]');
    const notObject = await failure(writeConfigFile(path, { bucket: 'ok-bucket' }));

    expect(String(badValue)).toMatch(/bucket: expected an S3 bucket name/);
    expect(String(unknown)).toMatch(/unknown config key 'colour'/);
    expect(notObject).toMatchObject({ exitCode: 2, hint: expect.stringMatching(/fix or move/) });
    expect(await readFile(path, 'utf8')).toBe('[1, 2]');
  });
});

describeWithMoto('the setup steps against moto', (getMoto) => {
  const clients = () => {
    const settings = { endpoint: getMoto().endpoint, credentials: motoRootCredentials };
    return {
      iam: new IAMClient({ ...settings, region: 'us-east-1' }),
      sts: new STSClient({ ...settings, region: motoRegion }),
      s3: createMotoS3Client(getMoto()),
    };
  };
  const choices = {
    bucket: 'ftse100-123456789012',
    region: motoRegion,
    layout,
    flavour: 'least-privilege' as const,
    ecs: false,
  };

  it('detects the account behind the credentials', async () => {
    const identity = await detectIdentity(clients().sts);

    expect(identity).toMatchObject({ accountId: '123456789012', partition: 'aws' });
    expect(identity.arn).toMatch(/^arn:aws:sts::123456789012:/);
  });

  it('plans, applies and creates the bucket; a second run plans nothing', async () => {
    const aws = clients();
    const events: SetupEvent[] = [];
    const bucketBefore = await probeBucket(aws.s3, choices);

    const first = await planSetup(aws, choices);
    const applied = await applySetup(aws, first, { onEvent: (event) => events.push(event) });
    const second = await planSetup(aws, choices);
    const again = await applySetup(aws, second);

    expect(bucketBefore).toBe('missing');
    expect(first.iam.steps).toHaveLength(5);
    expect(applied).toEqual({ iam: { changed: 5, unchanged: 0 }, bucket: 'created' });
    expect(events.at(-1)).toEqual({
      type: 'bucket-ready',
      bucket: choices.bucket,
      state: 'created',
    });
    expect(second.check.verdict).toBe('in-place');
    expect(second.iam.steps).toEqual([]);
    expect(again).toEqual({ iam: { changed: 0, unchanged: 0 }, bucket: 'exists' });
    expect(await probeBucket(aws.s3, choices)).toBe('ours');
  });
});
