import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ec2Event } from '../../../src/services/ec2/events.js';
import {
  amiParameterFor,
  architectureOf,
  resolveMachineImage,
} from '../../../src/services/ec2/machine-image.js';
import { describeWithMoto } from '../../support/moto.js';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-http.js';

const region = 'eu-west-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('architectureOf', () => {
  it.each([
    ['t3.micro', 'x86_64'],
    ['m5zn.large', 'x86_64'],
    ['g5.xlarge', 'x86_64'],
    ['t4g.small', 'arm64'],
    ['c7gn.large', 'arm64'],
    ['m6gd.medium', 'arm64'],
  ])('calls %s %s', (type, architecture) => {
    expect(architectureOf(type)).toBe(architecture);
  });

  it('names the public AL2023 parameter', () => {
    expect(amiParameterFor('x86_64')).toBe(
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    );
  });
});

/**
 * moto 5.2.1 does serve the public parameter, from a snapshot bundled with it, and knows the
 * image it names; real AWS serves the current one. Both paths are exercised here.
 */
describeWithMoto('resolveMachineImage against moto', (getMoto) => {
  let ssmServer: ScriptedServer | undefined;
  afterEach(async () => {
    await ssmServer?.close();
    ssmServer = undefined;
  });

  const ec2 = () =>
    new EC2Client({ region, endpoint: getMoto().endpoint, credentials, maxAttempts: 1 });

  it('reads the AMI from the public SSM parameter and describes its root device', async () => {
    const ssm = new SSMClient({
      region,
      endpoint: getMoto().endpoint,
      credentials,
      maxAttempts: 1,
    });

    const image = await resolveMachineImage(ssm, ec2(), { architecture: 'x86_64', region });

    expect(image.foundBy).toBe('ssm-parameter');
    expect(image.parameter).toBe(amiParameterFor('x86_64'));
    expect(image.imageId).toMatch(/^ami-[0-9a-f]+$/);
    expect(image.name).toMatch(/^al2023-ami-2023\..*-x86_64$/);
    expect(image.rootDeviceName).toBe('/dev/xvda');
  });

  it('falls back to the newest AL2023 image when SSM refuses, and says why', async () => {
    ssmServer = await startScriptedServer(() => ({
      status: 400,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ __type: 'AccessDeniedException', message: 'not allowed' }),
    }));
    const ssm = new SSMClient({ region, endpoint: ssmServer.url, credentials, maxAttempts: 1 });
    const events: Ec2Event[] = [];

    const image = await resolveMachineImage(ssm, ec2(), {
      architecture: 'x86_64',
      region,
      onEvent: (event) => events.push(event),
    });

    expect(image.foundBy).toBe('describe-images');
    expect(image.name).toMatch(/^al2023-ami-2023\.[^m]*-x86_64$/);
    expect(events).toEqual([
      {
        type: 'image-fallback',
        reason:
          `SSM parameter ${amiParameterFor('x86_64')} unavailable (AccessDeniedException); ` +
          'searching with DescribeImages',
      },
    ]);
  });

  it('uses an image given with --ami as it is', async () => {
    const ssm = new SSMClient({
      region,
      endpoint: 'http://127.0.0.1:9',
      credentials,
      maxAttempts: 1,
    });

    const image = await resolveMachineImage(ssm, ec2(), {
      architecture: 'x86_64',
      imageId: 'ami-0841e304792db6a16',
      region,
    });

    expect(image).toMatchObject({ foundBy: 'given', imageId: 'ami-0841e304792db6a16' });
  });
});
