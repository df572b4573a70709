/**
 * The instance-profile retry, with EC2's real error as it comes over the wire: a loopback
 * server answers RunInstances with the XML EC2 sends while a new profile propagates, and the
 * real SDK client parses it.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ec2Event } from '../../../src/services/ec2/events.js';
import {
  isProfileNotReady,
  profileRetryDelayMs,
  runInstancesWithProfileRetry,
} from '../../../src/services/ec2/profile-retry.js';
import { failure } from '../../support/failure.js';
import {
  startScriptedServer,
  type ScriptedReply,
  type ScriptedServer,
} from '../../support/scripted-http.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const ec2Error = (code: string, message: string): ScriptedReply => ({
  status: 400,
  body:
    `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors>` +
    '<RequestID>5a4a7b3c-0000-0000-0000-000000000000</RequestID></Response>',
});
const profileError = ec2Error(
  'InvalidParameterValue',
  'Value (DataProcessor) for parameter iamInstanceProfile.name is invalid. ' +
    'Invalid IAM Instance Profile name',
);
const launched: ScriptedReply = {
  status: 200,
  body:
    '<RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' +
    '<requestId>r</requestId>' +
    '<instancesSet><item><instanceId>i-0aaaabbbbccccdddd</instanceId></item></instancesSet>' +
    '</RunInstancesResponse>',
};

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function ec2Answering(replies: ScriptedReply[]): Promise<EC2Client> {
  server = await startScriptedServer(() => replies.shift() ?? launched);

  return new EC2Client({ region: 'eu-west-1', endpoint: server.url, credentials, maxAttempts: 1 });
}

const input = {
  ImageId: 'ami-0123',
  MinCount: 1,
  MaxCount: 1,
  IamInstanceProfile: { Name: 'DataProcessor' },
};

describe('runInstancesWithProfileRetry', () => {
  it('retries "Invalid IAM Instance Profile name" with growing waits, then succeeds', async () => {
    const ec2 = await ec2Answering([profileError, profileError, profileError]);
    const events: Ec2Event[] = [];
    const waits: number[] = [];

    const reply = await runInstancesWithProfileRetry(ec2, input, {
      profile: 'DataProcessor',
      region: 'eu-west-1',
      onEvent: (event) => events.push(event),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    expect(reply.Instances?.[0]?.InstanceId).toBe('i-0aaaabbbbccccdddd');
    expect(waits).toEqual([2_000, 4_000, 6_000]);
    expect(events).toHaveLength(3);
  });

  it('retries nothing else: a bad parameter that is not the profile fails at once', async () => {
    const ec2 = await ec2Answering([
      ec2Error('InvalidParameterValue', 'Value (x9.huge) for parameter instanceType is invalid.'),
    ]);

    const error = await failure(
      runInstancesWithProfileRetry(ec2, input, {
        profile: 'DataProcessor',
        region: 'eu-west-1',
        sleep: async () => undefined,
      }),
    );

    expect((error as Error).message).toMatch(/instanceType is invalid/);
    expect(server?.requests).toHaveLength(1);
  });

  it('sends the same client token on every attempt: a lost reply cannot launch twice', async () => {
    const ec2 = await ec2Answering([profileError]);

    await runInstancesWithProfileRetry(
      ec2,
      { ...input, ClientToken: 'token-1' },
      {
        profile: 'DataProcessor',
        region: 'eu-west-1',
        sleep: async () => undefined,
      },
    );

    const tokens = (server?.requests ?? []).map((request) =>
      new URLSearchParams(request.body).get('ClientToken'),
    );
    expect(tokens).toEqual(['token-1', 'token-1']);
  });
});

describe('isProfileNotReady', () => {
  it('knows the AWS error and the one moto gives for a profile it does not know', () => {
    const aws = {
      name: 'InvalidParameterValue',
      message:
        'Value (P) for parameter iamInstanceProfile.arn is invalid. ' +
        'Invalid IAM Instance Profile ARN',
    };
    const moto = { name: 'NoSuchEntity', message: 'Instance profile DataProcessor not found' };

    expect(isProfileNotReady(aws)).toBe(true);
    expect(isProfileNotReady(moto)).toBe(true);
    expect(isProfileNotReady({ name: 'VPCIdNotSpecified', message: 'No default VPC' })).toBe(false);
  });

  it('waits 2 s more each time, up to 10 s', () => {
    expect([1, 2, 3, 4, 5, 6].map(profileRetryDelayMs)).toEqual([
      2000, 4000, 6000, 8000, 10000, 10000,
    ]);
  });
});
