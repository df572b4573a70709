/**
 * The EC2 screen's state: the status (loaded on open and after every change), an operation in
 * progress with its event lines, and the last error with what to do.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Ec2Event } from '../../services/ec2/events.js';
import type { LifecycleAction } from '../../services/ec2/lifecycle.js';
import type { Ec2Status } from '../../services/ec2/status.js';
import { eventLine } from '../../services/ec2/text.js';
import type { Ec2Service, PreparedLaunch } from '../ec2-service.js';
import { asErrorState } from './use-bucket-listing.js';

/** What the screen draws. */
export interface Ec2State {
  readonly status: Ec2Status | undefined;
  readonly loading: boolean;
  readonly busy: boolean;
  /** Progress and results of the last operation, oldest first. */
  readonly log: readonly string[];
  readonly error: { readonly message: string; readonly hint: string | undefined } | undefined;
  readonly plan: PreparedLaunch | undefined;
}

/** State and actions of the EC2 screen. */
export function useEc2(service: Ec2Service) {
  const [state, setState] = useState<Ec2State>({
    status: undefined,
    loading: true,
    busy: false,
    log: [],
    error: undefined,
    plan: undefined,
  });
  const [reload, setReload] = useState(0);
  const live = useRef(true);
  const update = (patch: Partial<Ec2State>) =>
    live.current && setState((old) => ({ ...old, ...patch }));
  const append = (event: Ec2Event) =>
    live.current && setState((old) => ({ ...old, log: [...old.log, eventLine(event)].slice(-50) }));

  useEffect(() => {
    live.current = true;
    const abort = new AbortController();
    update({ loading: true });
    service.status(abort.signal).then(
      (status) => update({ status, loading: false, error: undefined }),
      (error: unknown) =>
        !abort.signal.aborted && update({ loading: false, error: asErrorState(error) }),
    );
    return () => {
      abort.abort();
      live.current = false;
    };
  }, [service, reload]);

  const run = useCallback(async (work: () => Promise<string>) => {
    update({ busy: true, error: undefined });
    try {
      const done = await work();
      setState((old) => ({ ...old, log: [...old.log, done] }));
    } catch (error) {
      update({ error: asErrorState(error) });
    } finally {
      update({ busy: false });
      setReload((count) => count + 1);
    }
  }, []);

  return {
    state,
    refresh: () => setReload((count) => count + 1),
    change: (action: LifecycleAction, instanceId: string) =>
      run(async () => {
        const result = await service.change(action, instanceId, append);
        return result.changed
          ? `${action} requested for ${instanceId}`
          : `${instanceId} is already ${result.to ?? 'there'}`;
      }),
    plan: (image: string) =>
      run(async () => {
        const plan = await service.prepareLaunch(image, append);
        update({ plan });
        return 'plan ready: y launches, any other key cancels';
      }),
    launch: () =>
      run(async () => {
        const plan = state.plan;
        update({ plan: undefined });
        if (!plan) return 'no plan to launch';
        const machine = await plan.launch(append);
        return `launched ${machine.instanceId}; the timer runs the job from its first boot`;
      }),
    dropPlan: () => update({ plan: undefined }),
  };
}
