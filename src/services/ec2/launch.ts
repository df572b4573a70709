/**
 * Carrying out a confirmed plan: the duplicate guard once more (the operator may have taken a
 * while to confirm), then the security group, then RunInstances with the profile retry.
 */
import { randomUUID } from 'node:crypto';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { silentLogger, type Logger } from '../logger.js';
import { encodeUserData } from '../schedule/user-data.js';
import { ignoreEvents, type Ec2EventHandler, type Sleep } from './events.js';
import type { LaunchPlan } from './launch-plan.js';
import { runInstancesInput } from './launch-plan.js';
import { toMachine, type Machine } from './machine.js';
import { duplicateLaunch, liveMachineIds } from './plan-launch.js';
import { runInstancesWithProfileRetry } from './profile-retry.js';
import { ensureOwnGroup } from './security-group.js';

/** How to launch. */
export interface LaunchOptions {
  readonly endpoint?: string;
  readonly onEvent?: Ec2EventHandler;
  /** Bound of the instance-profile retry. */
  readonly maxProfileWaitMs?: number;
  readonly sleep?: Sleep;
  readonly now?: () => number;
  readonly clientToken?: string;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** Launch the planned machine; resolves with it as RunInstances described it. */
export async function launchMachine(
  ec2: EC2Client,
  plan: LaunchPlan,
  options: LaunchOptions = {},
): Promise<Machine> {
  const onEvent = options.onEvent ?? ignoreEvents;
  const { region } = plan;
  const userData = encodeUserData(plan.userData);

  // Two operators launching at the same moment can both pass this check; EC2 has no
  // conditional launch, so that race is left to the status command to reveal.
  const live = await liveMachineIds({
    ec2,
    region,
    endpoint: options.endpoint,
    signal: options.signal,
  });
  const unexpected = live.filter((id) => !plan.existing.includes(id));
  if (unexpected.length > 0) throw duplicateLaunch(live, region);

  const groupIds =
    plan.ownGroup === undefined
      ? plan.network.securityGroupIds
      : [await ensureOwnGroup(ec2, plan.ownGroup, { region, onEvent, signal: options.signal })];

  const input = runInstancesInput(plan, groupIds, userData, options.clientToken ?? randomUUID());
  (options.logger ?? silentLogger).debug('RunInstances', {
    ...input,
    UserData: `${plan.userDataBytes} bytes`,
  });
  onEvent({ type: 'step', message: `launching a ${plan.instanceType} from ${plan.image.imageId}` });
  const reply = await runInstancesWithProfileRetry(ec2, input, {
    profile: plan.instanceProfile,
    region,
    maxWaitMs: options.maxProfileWaitMs,
    onEvent,
    sleep: options.sleep,
    now: options.now,
    logger: options.logger,
    signal: options.signal,
  });

  const instance = reply.Instances?.[0];
  const machine = instance && toMachine(instance);
  if (!machine?.instanceId) throw new Error('RunInstances answered without an instance');
  onEvent({ type: 'launched', instanceId: machine.instanceId });

  return machine;
}
