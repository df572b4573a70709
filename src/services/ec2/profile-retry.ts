/**
 * RunInstances right after IAM created the instance profile (or added the role to it) fails
 * for a while: IAM is eventually consistent, and EC2 answers `InvalidParameterValue: Value
 * (DataProcessor) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance
 * Profile name` until the profile has propagated, usually within seconds. That one error is
 * retried for a bounded time, with an event before each wait; every other error is not.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  RunInstancesCommand,
  type EC2Client,
  type RunInstancesCommandInput,
  type RunInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import { sdkErrorParts } from '../aws-errors.js';
import { AwsResourceError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { toEc2Error } from './ec2-errors.js';
import { ignoreEvents, type Ec2EventHandler, type Sleep } from './events.js';

/** How long and how often to retry. */
export interface ProfileRetryOptions {
  readonly profile: string;
  readonly region: string;
  readonly maxWaitMs?: number;
  readonly onEvent?: Ec2EventHandler;
  readonly sleep?: Sleep;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** The default bound: IAM propagation normally takes seconds, rarely a minute. */
export const defaultProfileWaitMs = 90_000;

/**
 * Is this EC2 saying it does not know the instance profile (yet)? Real EC2 answers
 * InvalidParameterValue naming `iamInstanceProfile`; moto answers IAM's NoSuchEntity instead.
 */
export function isProfileNotReady(error: unknown): boolean {
  const { name, message } = sdkErrorParts(error);

  return (
    (name === 'InvalidParameterValue' && /iamInstanceProfile/i.test(message)) ||
    (name === 'NoSuchEntity' && /instance profile/i.test(message))
  );
}

/** The wait before retry `attempt` (2 s, 4 s, ... up to 10 s). */
export function profileRetryDelayMs(attempt: number): number {
  return Math.min(attempt * 2_000, 10_000);
}

const realSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal });

/** RunInstances, retrying only the "profile not ready" error until `maxWaitMs` has passed. */
export async function runInstancesWithProfileRetry(
  ec2: EC2Client,
  input: RunInstancesCommandInput,
  options: ProfileRetryOptions,
): Promise<RunInstancesCommandOutput> {
  const { maxWaitMs = defaultProfileWaitMs, sleep = realSleep, now = Date.now } = options;
  const onEvent = options.onEvent ?? ignoreEvents;
  const started = now();

  // The client token makes every attempt the same request, so one that EC2 did carry out
  // but whose answer was lost is not launched twice.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await ec2.send(new RunInstancesCommand(input), { abortSignal: options.signal });
    } catch (error) {
      if (!isProfileNotReady(error)) {
        throw toEc2Error(error, {
          action: 'ec2:RunInstances',
          resource: `the machine in ${options.region}`,
          region: options.region,
        });
      }

      const elapsedMs = now() - started;
      const delayMs = profileRetryDelayMs(attempt);
      if (elapsedMs + delayMs > maxWaitMs) throw profileNeverReady(options, elapsedMs, error);

      (options.logger ?? silentLogger).warn('instance profile not accepted yet; retrying', {
        profile: options.profile,
        attempt,
        delayMs,
        elapsedMs,
      });
      onEvent({
        type: 'profile-retry',
        profile: options.profile,
        attempt,
        delayMs,
        elapsedMs,
        maxWaitMs,
      });
      await sleep(delayMs, options.signal);
    }
  }
}

function profileNeverReady(
  options: ProfileRetryOptions,
  elapsedMs: number,
  cause: unknown,
): AwsResourceError {
  const seconds = Math.round(elapsedMs / 1000);

  return new AwsResourceError(
    `EC2 still does not accept instance profile ${options.profile} after ${seconds} s`,
    {
      hint:
        `check that instance profile ${options.profile} exists and holds the role, or name ` +
        'another with --instance-profile; no instance was launched',
      cause,
    },
  );
}
