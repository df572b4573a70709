/**
 * The setup wizard's state: which step is showing and what each step found or chose. Every
 * step loads what it shows each time it is entered, so going back and forward again (after
 * fixing a permission, say) asks AWS afresh; nothing is changed before the apply step.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { configKeys } from '../../services/config.js';
import type { PolicyFlavour } from '../../services/iam/policy-documents.js';
import type { Identity, SetupEvent, SetupPlan } from '../../services/setup.js';
import type { BucketCheck, SetupResult, SetupService } from '../console-services.js';
import type { ToneLine } from '../iam-lines.js';
import { errorParts, streamApply, type ApplyStopped } from './use-iam.js';

/** The steps, in order. */
export const wizardSteps = [
  'identity',
  'region',
  'bucket',
  'policy',
  'plan',
  'apply',
  'done',
] as const;

/** One step of the wizard. */
export type WizardStep = (typeof wizardSteps)[number];

/** Something a step loads. */
export type Loaded<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly value: T }
  | { readonly status: 'error'; readonly message: string; readonly hint: string | undefined };

/** The apply step: running, finished with what it did, or stopped by an error. */
export type SetupApplyState =
  | { readonly status: 'idle' }
  | {
      readonly status: 'applying';
      readonly lines: readonly ToneLine[];
      readonly current: string | undefined;
    }
  | { readonly status: 'done'; readonly lines: readonly ToneLine[]; readonly result: SetupResult }
  | {
      readonly status: 'failed';
      readonly lines: readonly ToneLine[];
      readonly message: string;
      readonly hint: string | undefined;
    };

/** The plan step's findings: the IAM plan and whether the bucket is there. */
export interface PlanAndBucket {
  readonly plan: SetupPlan;
  readonly bucket: BucketCheck;
}

/**
 * Load `work` while `active`, again whenever `deps` change. What was loaded for other deps is
 * never shown as current: a step re-entered reads "loading" from its first frame, so a quick
 * key cannot act on the last visit's plan. Once inactive, the last value stays readable.
 */
function useLoaded<T>(
  active: boolean,
  work: (signal: AbortSignal) => Promise<T>,
  deps: readonly (string | number | boolean)[],
): Loaded<T> {
  const key = JSON.stringify(deps);
  const [state, setState] = useState<{ key: string; value: Loaded<T> }>({
    key: '',
    value: { status: 'loading' },
  });

  useEffect(() => {
    if (!active) return;
    const abort = new AbortController();
    const settle = (value: Loaded<T>) => !abort.signal.aborted && setState({ key, value });
    settle({ status: 'loading' });
    work(abort.signal).then(
      (value) => settle({ status: 'ready', value }),
      (error: unknown) => settle({ status: 'error', ...errorParts(error) }),
    );
    return () => abort.abort();
    // `work` is a new closure every render; what it depends on is in `key`.
  }, [active, key]);

  return state.key === key || !active ? state.value : { status: 'loading' };
}

/** Is `value` valid for config key `key`? Undefined when it is, else what was expected. */
function invalid(key: 'bucket' | 'region', value: string): string | undefined {
  const spec = configKeys[key];

  return spec.schema.safeParse(value).success ? undefined : `'${value}' is not ${spec.expected}`;
}

/** The wizard's state and its moves. */
export function useSetup(setup: SetupService) {
  const [step, setStep] = useState<WizardStep>('identity');
  const [attempt, setAttempt] = useState(0);
  // Counts step changes, so that entering a step again loads it afresh.
  const [visit, setVisit] = useState(0);
  const [region, setRegionValue] = useState(setup.defaults.region);
  const [bucket, setBucketValue] = useState(setup.defaults.bucket);
  const [flavour, setFlavour] = useState<PolicyFlavour>('least-privilege');
  const [ecs, setEcs] = useState(false);
  const [apply, setApply] = useState<SetupApplyState>({ status: 'idle' });
  const mounted = useRef(true);
  const applying = useRef<AbortController | undefined>(undefined);
  // Keys can come faster than renders (enter, enter): moves update this at once.
  const stepNow = useRef<WizardStep>('identity');
  const go = (next: WizardStep) => {
    stepNow.current = next;
    setStep(next);
    setVisit((count) => count + 1);
  };

  const identity = useLoaded<Identity>(step === 'identity', (signal) => setup.identity(signal), [
    attempt,
    visit,
  ]);
  const accountId = identity.status === 'ready' ? identity.value.accountId : '';
  const bucketCheck = useLoaded<BucketCheck>(
    step === 'bucket',
    (signal) => setup.inspectBucket(bucket, region, accountId, signal),
    [bucket, region, accountId, attempt, visit],
  );
  const choices = { bucket, region, layout: setup.defaults.layout, flavour, ecs };
  // The plan step probes the bucket again: after an apply (or by hand) it may exist now.
  const plan = useLoaded<PlanAndBucket>(
    step === 'plan',
    async (signal) => {
      const [found, probed] = await Promise.all([
        setup.plan(choices, signal),
        setup.inspectBucket(bucket, region, accountId, signal),
      ]);
      return { plan: found, bucket: probed };
    },
    [bucket, region, flavour, ecs, accountId, attempt, visit],
  );

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      applying.current?.abort();
    };
  }, []);

  const retry = useCallback(() => setAttempt((count) => count + 1), []);

  const start = (ready: SetupPlan) => {
    const show = (state: SetupApplyState) => mounted.current && setApply(state);
    go('apply');
    show({ status: 'applying', lines: [], current: undefined });
    // The real setup runs to its end once started (applySetup takes no signal); aborting
    // on unmount only tells it that nobody is watching any more.
    const abort = new AbortController();
    applying.current = abort;
    void streamApply(
      (onEvent: (event: SetupEvent) => void) => setup.apply(ready, onEvent, abort.signal),
      (lines, current) => show({ status: 'applying', lines, current }),
    ).then(
      ({ lines, result }) => {
        const config = { text: `${result.config.padEnd(9)} config ${result.configPath}` };
        show({ status: 'done', lines: [...lines, config], result });
        if (mounted.current) go('done');
      },
      (error: ApplyStopped) =>
        show({ status: 'failed', lines: error.lines, ...errorParts(error.reason) }),
    );
  };

  const back = (): boolean => {
    if (apply.status === 'applying') return true;
    const from = stepNow.current;
    const index = wizardSteps.indexOf(from);
    if (index === 0) return false;
    // The apply and done steps both lead back to a fresh plan.
    go(from === 'apply' || from === 'done' ? 'plan' : (wizardSteps[index - 1] ?? 'identity'));

    return true;
  };

  return {
    step,
    /** The step as of the last key, even before the next render. */
    current: () => stepNow.current,
    identity,
    region,
    bucket,
    bucketCheck,
    flavour,
    ecs,
    plan,
    apply,
    retry,
    back,
    start,
    go,
    /** Accept a region; returns why it was refused. */
    chooseRegion(value: string): string | undefined {
      const problem = invalid('region', value);
      if (problem) return problem;
      setRegionValue(value);
      go('bucket');

      return undefined;
    },
    /** Take another bucket name, to be inspected; returns why it was refused. */
    chooseBucket(value: string): string | undefined {
      const problem = invalid('bucket', value);
      if (!problem) setBucketValue(value);

      return problem;
    },
    chooseFlavour: setFlavour,
    toggleEcs: () => setEcs((value) => !value),
  };
}

/** What useSetup returns. */
export type SetupWizardState = ReturnType<typeof useSetup>;
