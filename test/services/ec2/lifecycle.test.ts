import { EC2Client, RunInstancesCommand, type Tag } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsResourceError, ConfigError } from '../../../src/services/errors.js';
import type { Ec2Event } from '../../../src/services/ec2/events.js';
import { findMachine, findMachines } from '../../../src/services/ec2/find-machine.js';
import { changeMachineState, waitForState } from '../../../src/services/ec2/lifecycle.js';
import type { Machine } from '../../../src/services/ec2/machine.js';
import { describeWithMoto, type MotoServer } from '../../support/moto.js';
import { failure } from '../../support/failure.js';

const region = 'eu-west-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const tagged: Tag[] = [{ Key: 'tickops:role', Value: 'downloader' }];

/** A client that also records which commands it sent. */
function ec2For(moto: MotoServer): { ec2: EC2Client; sent: string[] } {
  const ec2 = new EC2Client({ region, endpoint: moto.endpoint, credentials, maxAttempts: 1 });
  const sent: string[] = [];
  ec2.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );

  return { ec2, sent };
}

async function run(ec2: EC2Client, tags: Tag[] = tagged): Promise<string> {
  const reply = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-0841e304792db6a16',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
    }),
  );

  return reply.Instances?.[0]?.InstanceId ?? '';
}

describeWithMoto('stop, start and terminate against moto', (getMoto) => {
  beforeEach(async () => {
    await getMoto().reset();
  });

  it('stops the running machine, starts it again, then terminates it', async () => {
    const { ec2 } = ec2For(getMoto());
    const instanceId = await run(ec2);
    const events: Ec2Event[] = [];
    const options = { region, onEvent: (event: Ec2Event) => events.push(event) };

    const stopped = await changeMachineState(
      ec2,
      await findMachine(ec2, { region }),
      'stop',
      options,
    );
    const afterStop = await findMachine(ec2, { region });
    const started = await changeMachineState(ec2, afterStop, 'start', options);
    const running = await waitForState(ec2, instanceId, 'running', {
      region,
      sleep: async () => undefined,
    });
    const terminated = await changeMachineState(
      ec2,
      await findMachine(ec2, { region }),
      'terminate',
      options,
    );

    expect(stopped).toMatchObject({ instanceId, changed: true, from: 'running', to: 'stopping' });
    expect(afterStop.state).toBe('stopped');
    expect(started).toMatchObject({ changed: true, from: 'stopped', to: 'pending' });
    expect(running).toBe('running');
    expect(terminated).toMatchObject({ changed: true, from: 'running', to: 'shutting-down' });
    expect(events.map((event) => event.type)).toEqual([
      'state-change',
      'state-change',
      'state-change',
    ]);
    expect(await findMachines(ec2, { region })).toEqual([]);
  });

  // moto answers a second StopInstances with "stopping", AWS with "stopped".
  it('does not stop a stopped machine again', async () => {
    const { ec2, sent } = ec2For(getMoto());
    await run(ec2);
    await changeMachineState(ec2, await findMachine(ec2, { region }), 'stop', { region });
    const stopped = await findMachine(ec2, { region });
    sent.length = 0;

    const again = await changeMachineState(ec2, stopped, 'stop', { region });

    expect(again).toMatchObject({ changed: false, from: 'stopped', to: 'stopped' });
    expect(sent).toEqual([]);
  });

  it('refuses to start a machine that is still stopping, without calling EC2', async () => {
    const { ec2, sent } = ec2For(getMoto());
    const machine = await findMachine(ec2, { region, instanceId: await run(ec2) });
    sent.length = 0;
    const stopping: Machine = { ...machine, state: 'stopping' };

    const error = await failure(changeMachineState(ec2, stopping, 'start', { region }));

    expect(error).toBeInstanceOf(AwsResourceError);
    expect((error as Error).message).toBe(`machine ${machine.instanceId} is still stopping`);
    expect(sent).toEqual([]);
  });

  it('acts only on an instance that carries the tag', async () => {
    const { ec2 } = ec2For(getMoto());
    const stranger = await run(ec2, [{ Key: 'Name', Value: 'someone-else' }]);

    const error = await failure(findMachine(ec2, { region, instanceId: stranger }));
    const missing = await failure(findMachine(ec2, { region, instanceId: 'i-0123456789abcdef0' }));

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `instance ${stranger} is not tagged tickops:role=downloader`,
    );
    expect((missing as Error).message).toBe(
      'instance i-0123456789abcdef0 does not exist in eu-west-1',
    );
  });

  it('asks for --instance-id when two machines carry the tag; says when none does', async () => {
    const { ec2 } = ec2For(getMoto());
    const none = await failure(findMachine(ec2, { region }));
    const first = await run(ec2);
    const second = await run(ec2);

    const two = await failure(findMachine(ec2, { region }));

    expect((none as Error).message).toBe('no machine tagged tickops:role=downloader in eu-west-1');
    expect((two as ConfigError).message).toContain(first);
    expect((two as ConfigError).message).toContain(second);
    expect((two as ConfigError).hint).toMatch(/--instance-id/);
  });
});

describe('waitForState', () => {
  it('gives up after its timeout with the state it last saw', async () => {
    const ec2 = {
      send: async () => ({ Reservations: [{ Instances: [{ State: { Name: 'pending' } }] }] }),
    } as unknown as EC2Client;

    const error = await failure(
      waitForState(ec2, 'i-1', 'running', { region, timeoutMs: 0, sleep: async () => undefined }),
    );

    expect((error as Error).message).toBe('machine i-1 is pending, not running, after waiting');
  });
});
