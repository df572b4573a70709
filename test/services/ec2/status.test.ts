import { EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/services/config.js';
import { consoleLines } from '../../../src/services/ec2/console-output.js';
import { findLastUpload, manifestPattern } from '../../../src/services/ec2/last-upload.js';
import { describeEc2Status } from '../../../src/services/ec2/status.js';
import { statusLines } from '../../../src/services/ec2/text.js';
import { londonClose } from '../../../src/services/schedule/daily-schedule.js';
import { describeWithMoto, type MotoServer } from '../../support/moto.js';

const region = 'eu-west-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const layout = loadConfig({ env: {}, cwd: '/nonexistent' }).layout;
const now = Date.parse('2024-10-25T11:00:00Z');

const clientsFor = (moto: MotoServer) => ({
  ec2: new EC2Client({ region, endpoint: moto.endpoint, credentials, maxAttempts: 1 }),
  s3: new S3Client({
    region,
    endpoint: moto.endpoint,
    credentials,
    forcePathStyle: true,
    maxAttempts: 1,
  }),
});

async function runTagged(ec2: EC2Client): Promise<string> {
  const reply = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-0841e304792db6a16',
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'tickops:role', Value: 'downloader' },
            { Key: 'Name', Value: 'tickops-downloader' },
          ],
        },
      ],
    }),
  );

  return reply.Instances?.[0]?.InstanceId ?? '';
}

describeWithMoto('describeEc2Status against moto', (getMoto) => {
  beforeEach(async () => {
    await getMoto().reset();
  });

  const options = {
    region,
    bucket: { bucket: 'ftse100', region },
    layout,
    schedule: londonClose,
    now,
  };

  it('shows a running machine, its console tail, the newest manifest, the next runs', async () => {
    const { ec2, s3 } = clientsFor(getMoto());
    const instanceId = await runTagged(ec2);
    await ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-0841e304792db6a16', MinCount: 1, MaxCount: 1 }),
    );
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'ftse100',
        CreateBucketConfiguration: { LocationConstraint: region },
      }),
    );
    for (const key of [
      'manifests/20241024.json',
      'manifests/20241025.json',
      'manifests/notes.txt',
      'raw/20241026/X.json',
    ]) {
      await s3.send(new PutObjectCommand({ Bucket: 'ftse100', Key: key, Body: '{}' }));
    }

    const status = await describeEc2Status({ ec2, s3 }, { ...options, consoleLines: 3 });

    expect(status.machines).toHaveLength(1);
    const [report] = status.machines;
    expect(report?.machine).toMatchObject({
      instanceId,
      name: 'tickops-downloader',
      state: 'running',
      instanceType: 't3.micro',
      imageId: 'ami-0841e304792db6a16',
      metadata: { httpTokens: 'required', hopLimit: 2, httpEndpoint: 'enabled' },
    });
    expect(report?.machine.launchTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(report?.machine.privateIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(report?.consoleTail).toMatchObject({ state: 'available' });
    expect(report?.consoleTail.state === 'available' && report.consoleTail.lines).toHaveLength(3);
    expect(status.lastUpload).toMatchObject({
      state: 'found',
      key: 'manifests/20241025.json',
      date: '2024-10-25',
    });
    expect(status.nextRuns.map((run) => run.local)).toEqual([
      'Fri 2024-10-25 17:00 BST',
      'Mon 2024-10-28 17:00 GMT',
      'Tue 2024-10-29 17:00 GMT',
    ]);
    const text = statusLines(status).join('\n');
    expect(text).toContain(`machine   ${instanceId} (tickops-downloader), running t3.micro`);
    expect(text).toContain('metadata    IMDSv2 required, hop limit 2, endpoint enabled');
    expect(text).toContain('last upload manifests/20241025.json (trading day 2024-10-25)');
    expect(text).toContain('Fri 2024-10-25 17:00 BST = 2024-10-25T16:00:00.000Z');
  });

  it('shows a stopped machine as stopped and says a missed run happens at start', async () => {
    const { ec2, s3 } = clientsFor(getMoto());
    const instanceId = await runTagged(ec2);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));

    const status = await describeEc2Status({ ec2, s3 }, options);

    expect(status.machines[0]?.machine.state).toBe('stopped');
    expect(status.lastUpload).toEqual({ state: 'none', bucketMissing: true });
    const text = statusLines(status).join('\n');
    expect(text).toContain('stopped t3.micro');
    expect(text).toContain('a missed run happens when it starts');
    expect(text).toContain('last upload none yet (bucket ftse100 does not exist yet)');
  });

  it('says so when no machine carries the tag', async () => {
    const { ec2, s3 } = clientsFor(getMoto());

    const status = await describeEc2Status({ ec2, s3 }, options);

    expect(status.machines).toEqual([]);
    expect(statusLines(status)[0]).toBe('no machine tagged tickops:role=downloader in eu-west-1');
  });
});

describe('consoleLines', () => {
  it('decodes base64 and strips escape sequences and control characters', () => {
    const raw = 'boot\r\n\u001b[32m[  OK  ]\u001b[0m Started docker\n\u0007bell\n\n\ttab kept\n';

    const lines = consoleLines(Buffer.from(raw).toString('base64'), 10);

    expect(lines).toEqual(['boot', '[  OK  ] Started docker', 'bell', '\ttab kept']);
  });

  it('keeps only the last lines', () => {
    const raw = Array.from({ length: 50 }, (_, index) => `line ${index}`).join('\n');

    expect(consoleLines(Buffer.from(raw).toString('base64'), 2)).toEqual(['line 48', 'line 49']);
  });
});

describe('manifestPattern', () => {
  it('lists under the static prefix and matches only day manifests', () => {
    const { prefix, pattern } = manifestPattern('manifests/{date}.json');

    expect(prefix).toBe('manifests/');
    expect(pattern.exec('manifests/20241025.json')?.[1]).toBe('20241025');
    expect(pattern.test('manifests/20241025.json.tmp')).toBe(false);
    expect(pattern.test('manifests/2024-10-25.json')).toBe(false);
  });

  it('lists the whole bucket when the key starts with the date', () => {
    expect(manifestPattern('{date}/manifest.json').prefix).toBe('');
  });
});

describeWithMoto('findLastUpload with a flat layout', (getMoto) => {
  it('finds the newest manifest among other keys', async () => {
    const { s3 } = clientsFor(getMoto());
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'flat',
        CreateBucketConfiguration: { LocationConstraint: region },
      }),
    );
    for (const key of [
      'manifests-20241023.json',
      'manifests-20241022.json',
      'raw-20241025-X.json',
    ]) {
      await s3.send(new PutObjectCommand({ Bucket: 'flat', Key: key, Body: '{}' }));
    }

    const last = await findLastUpload(
      s3,
      { bucket: 'flat', region },
      { ...layout, manifest: 'manifests-{date}.json' },
    );

    expect(last).toMatchObject({ state: 'found', date: '2024-10-23' });
  });
});
