/**
 * The IAM screen's state: the check for the chosen policy flavour and the plan made from it,
 * and an apply whose events become lines as they arrive (waits for IAM's eventual consistency
 * included). The check is discarded and the apply aborted when the screen goes away.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApplyEvent, ApplyResult } from '../../services/iam/apply.js';
import type { IamCheck } from '../../services/iam/check.js';
import { formatApplyEvent } from '../../services/iam/describe.js';
import { describeStep, type IamPlan } from '../../services/iam/plan.js';
import type { SetupEvent } from '../../services/setup.js';
import type { IamService, IamWanted } from '../console-services.js';
import type { ToneLine } from '../iam-lines.js';
import { asErrorState } from './use-bucket-listing.js';

/** Checking, the check with its plan, or why it could not be made. */
export type IamCheckState =
  | { readonly status: 'loading' }
  | {
      readonly status: 'ready';
      readonly check: IamCheck;
      readonly plan: IamPlan;
      /** A new check is under way; this one stays on screen until it arrives. */
      readonly refreshing: boolean;
    }
  | { readonly status: 'error'; readonly message: string; readonly hint: string | undefined };

/** An apply, from before it starts to how it ended, with its lines so far. */
export type ApplyState =
  | { readonly status: 'idle' }
  | {
      readonly status: 'applying';
      readonly lines: readonly ToneLine[];
      readonly current: string | undefined;
    }
  | { readonly status: 'done'; readonly lines: readonly ToneLine[]; readonly result: ApplyResult }
  | { readonly status: 'cancelled'; readonly lines: readonly ToneLine[] }
  | {
      readonly status: 'failed';
      readonly lines: readonly ToneLine[];
      readonly message: string;
      readonly hint: string | undefined;
    };

/** One line for an apply or setup event, or undefined for those not worth a line. */
export function eventLine(event: ApplyEvent | SetupEvent): ToneLine | undefined {
  if (event.type === 'bucket-ready') {
    return { text: `${event.state.padEnd(9)} bucket s3://${event.bucket}`, tone: 'good' };
  }
  const text = formatApplyEvent(event);
  if (text === undefined) return undefined;
  if (event.type === 'waiting') return { text, tone: 'warn' };

  return { text, tone: event.type === 'apply-finished' ? 'good' : undefined };
}

/**
 * Run `work`, turning its events into lines; `onEnd` gets how it ended. Shared by the IAM
 * screen and the wizard so both show an apply the same way.
 */
export function streamApply<E extends ApplyEvent | SetupEvent, R>(
  work: (onEvent: (event: E) => void) => Promise<R>,
  onChange: (lines: readonly ToneLine[], current: string | undefined) => void,
): Promise<{ lines: readonly ToneLine[]; result: R }> {
  const lines: ToneLine[] = [];
  let current: string | undefined;
  const onEvent = (event: E) => {
    if (event.type === 'step-started') current = describeStep(event.step)[0];
    const line = eventLine(event);
    if (line) lines.push(line);
    onChange([...lines], current);
  };

  return work(onEvent).then(
    (result) => ({ lines, result }),
    (error: unknown) => {
      throw new ApplyStopped(error, lines);
    },
  );
}

/** An apply that failed or was cancelled, with the lines it had printed. */
export class ApplyStopped extends Error {
  constructor(
    readonly reason: unknown,
    readonly lines: readonly ToneLine[],
  ) {
    super('apply stopped', { cause: reason });
  }
}

/** An error's message and hint, as shown in place. */
export function errorParts(error: unknown): { message: string; hint: string | undefined } {
  const { message, hint } = asErrorState(error);

  return { message, hint };
}

/** The check for `wanted`, re-made on `recheck`, and an apply that can be cancelled. */
export function useIam(iam: IamService, wanted: IamWanted) {
  const [reload, setReload] = useState(0);
  const [check, setCheck] = useState<IamCheckState>({ status: 'loading' });
  const [apply, setApply] = useState<ApplyState>({ status: 'idle' });
  const applying = useRef<AbortController | undefined>(undefined);
  const mounted = useRef(true);
  const { flavour, ecs } = wanted;

  useEffect(() => {
    const abort = new AbortController();
    setCheck((before) =>
      before.status === 'ready' ? { ...before, refreshing: true } : { status: 'loading' },
    );
    iam.check({ flavour, ecs }, abort.signal).then(
      (found) => {
        if (abort.signal.aborted) return;
        setCheck({ status: 'ready', check: found, plan: iam.plan(found), refreshing: false });
      },
      (error: unknown) => !abort.signal.aborted && setCheck(asErrorState(error)),
    );
    return () => abort.abort();
  }, [iam, flavour, ecs, reload]);

  // An apply left running would change IAM with nobody watching: stop it with the screen.
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      applying.current?.abort();
    };
  }, []);

  const start = useCallback(
    (plan: IamPlan) => {
      if (applying.current) return;
      const abort = new AbortController();
      applying.current = abort;
      const show = (state: ApplyState) => mounted.current && setApply(state);
      show({ status: 'applying', lines: [], current: undefined });

      void streamApply(
        (onEvent: (event: ApplyEvent) => void) => iam.apply(plan, onEvent, abort.signal),
        (lines, current) => show({ status: 'applying', lines, current }),
      )
        .then(
          ({ lines, result }) => show({ status: 'done', lines, result }),
          (error: ApplyStopped) =>
            show(
              abort.signal.aborted
                ? { status: 'cancelled', lines: error.lines }
                : { status: 'failed', lines: error.lines, ...errorParts(error.reason) },
            ),
        )
        .finally(() => {
          applying.current = undefined;
          // What apply changed (all of it, or the steps before a failure) is known for sure
          // only by reading it again.
          if (mounted.current) setReload((count) => count + 1);
        });
    },
    [iam],
  );

  const cancel = useCallback(() => applying.current?.abort(), []);
  // A new check puts the plan back in place of the last apply's lines.
  const recheck = useCallback(() => {
    if (applying.current) return;
    setApply({ status: 'idle' });
    setReload((count) => count + 1);
  }, []);

  return { check, apply, start, cancel, recheck };
}
