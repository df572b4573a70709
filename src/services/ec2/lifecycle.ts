/**
 * Stopping, starting and terminating the machine. The current state decides first: a stopped
 * machine is not stopped again and a stopping one cannot be started yet (EC2 would answer
 * IncorrectInstanceState), so the operator gets a plain answer instead of an API error.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  DescribeInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type InstanceStateChange,
} from '@aws-sdk/client-ec2';
import { AwsResourceError } from '../errors.js';
import { toEc2Error } from './ec2-errors.js';
import { ignoreEvents, type Ec2EventHandler, type Sleep } from './events.js';
import type { Machine, MachineState } from './machine.js';

/** The three actions. */
export type LifecycleAction = 'stop' | 'start' | 'terminate';

/** What an action did. */
export interface LifecycleResult {
  readonly instanceId: string;
  readonly action: LifecycleAction;
  /** False when the machine was already where the action leads. */
  readonly changed: boolean;
  readonly from: MachineState | undefined;
  readonly to: MachineState | undefined;
}

/** Options shared by the actions. */
export interface LifecycleOptions {
  readonly region: string;
  readonly onEvent?: Ec2EventHandler;
  readonly signal?: AbortSignal;
}

const settled: Record<LifecycleAction, readonly MachineState[]> = {
  stop: ['stopping', 'stopped'],
  start: ['pending', 'running'],
  terminate: ['shutting-down', 'terminated'],
};

/** The state an action ends in, for waiting. */
export const targetState: Record<LifecycleAction, MachineState> = {
  stop: 'stopped',
  start: 'running',
  terminate: 'terminated',
};

/** Stop, start or terminate the machine, unless it is already on its way there. */
export async function changeMachineState(
  ec2: EC2Client,
  machine: Machine,
  action: LifecycleAction,
  options: LifecycleOptions,
): Promise<LifecycleResult> {
  const { instanceId, state } = machine;
  if (state !== undefined && settled[action].includes(state)) {
    return { instanceId, action, changed: false, from: state, to: state };
  }
  if (action === 'start' && state === 'stopping') {
    throw new AwsResourceError(`machine ${instanceId} is still stopping`, {
      hint: 'wait until it is stopped (tickops ec2 status), then start it',
    });
  }

  const ids = { InstanceIds: [instanceId] };
  const send = { abortSignal: options.signal };
  let change: InstanceStateChange | undefined;
  try {
    if (action === 'stop') {
      change = (await ec2.send(new StopInstancesCommand(ids), send)).StoppingInstances?.[0];
    } else if (action === 'start') {
      change = (await ec2.send(new StartInstancesCommand(ids), send)).StartingInstances?.[0];
    } else {
      change = (await ec2.send(new TerminateInstancesCommand(ids), send)).TerminatingInstances?.[0];
    }
  } catch (error) {
    const verb = {
      stop: 'StopInstances',
      start: 'StartInstances',
      terminate: 'TerminateInstances',
    };
    throw toEc2Error(error, {
      action: `ec2:${verb[action]}`,
      resource: instanceId,
      region: options.region,
    });
  }

  const from = (change?.PreviousState?.Name as MachineState | undefined) ?? state;
  const to = change?.CurrentState?.Name as MachineState | undefined;
  (options.onEvent ?? ignoreEvents)({ type: 'state-change', instanceId, from, to });

  return { instanceId, action, changed: true, from, to };
}

const realSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal });

/** Poll until the instance reaches the state, or give up after `timeoutMs`. */
export async function waitForState(
  ec2: EC2Client,
  instanceId: string,
  wanted: MachineState,
  options: LifecycleOptions & { timeoutMs?: number; intervalMs?: number; sleep?: Sleep },
): Promise<MachineState> {
  const { timeoutMs = 600_000, intervalMs = 5_000, sleep = realSleep } = options;
  const deadline = Date.now() + timeoutMs;
  let last: MachineState | undefined;

  for (;;) {
    try {
      const reply = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }), {
        abortSignal: options.signal,
      });
      const state = reply.Reservations?.[0]?.Instances?.[0]?.State?.Name as
        MachineState | undefined;
      if (state !== undefined && state !== last) {
        (options.onEvent ?? ignoreEvents)({ type: 'state', instanceId, state });
        last = state;
      }
      if (state === wanted) return state;
    } catch (error) {
      // Right after RunInstances, DescribeInstances may not know the id yet.
      if ((error as { name?: string }).name !== 'InvalidInstanceID.NotFound') {
        throw toEc2Error(error, {
          action: 'ec2:DescribeInstances',
          resource: instanceId,
          region: options.region,
        });
      }
    }

    if (Date.now() + intervalMs > deadline) {
      throw new AwsResourceError(
        `machine ${instanceId} is ${last ?? 'unknown'}, not ${wanted}, after waiting`,
        {
          hint: 'check tickops ec2 status; the request itself was accepted',
        },
      );
    }
    await sleep(intervalMs, options.signal);
  }
}
