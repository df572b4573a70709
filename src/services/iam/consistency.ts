/**
 * IAM is eventually consistent: a role or policy just created can be unknown for a few seconds
 * to the next call that names it (AttachRolePolicy, AddRoleToInstanceProfile answer
 * NoSuchEntity). Such calls are retried a bounded number of times, and each wait is reported
 * so the operator sees why apply pauses.
 */
import { sleep as defaultSleep } from '../backoff.js';
import { isIamError } from './iam-errors.js';

/** Waits between attempts: about 15 s in all, then the last error stands. */
export const defaultConsistencyDelaysMs: readonly number[] = [500, 1_000, 2_000, 4_000, 8_000];

/** A wait for IAM to catch up, as reported. */
export interface ConsistencyWait {
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly delayMs: number;
  readonly reason: string;
}

/** How to retry. */
export interface ConsistencyOptions {
  /** Which failures are IAM catching up; NoSuchEntity by default. */
  readonly isTransient?: (error: unknown) => boolean;
  readonly delaysMs?: readonly number[];
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly onWait?: (wait: ConsistencyWait) => void;
}

/**
 * Run `call`, retrying while it answers NoSuchEntity and `retry` says the entity was only just
 * created (an entity that never existed is not waited for).
 */
export async function withConsistencyRetry<T>(
  call: () => Promise<T>,
  retry: boolean,
  what: string,
  options: ConsistencyOptions = {},
): Promise<T> {
  const delays = options.delaysMs ?? defaultConsistencyDelaysMs;
  const sleep = options.sleep ?? defaultSleep;
  const isTransient = options.isTransient ?? ((error) => isIamError(error, 'NoSuchEntity'));

  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const delayMs = delays[attempt - 1];
      if (!retry || delayMs === undefined || !isTransient(error)) throw error;

      options.onWait?.({
        attempt,
        maxAttempts: delays.length + 1,
        delayMs,
        reason: `IAM has not caught up yet: ${what}`,
      });
      await sleep(delayMs, options.signal);
    }
  }
}
