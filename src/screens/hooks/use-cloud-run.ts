/** A cloud run followed through the bucket, as React state, while the screen wants it. */
import { useEffect, useState } from 'react';
import type { CloudRunView } from '../../services/cloud-run.js';
import type { CloudRunService } from '../console-services.js';

/** The latest look, and the latest failed look when it came after it. */
export interface CloudRunState {
  readonly view?: CloudRunView;
  readonly failure?: { readonly reason: string; readonly at: number };
}

/** Follow `date`'s cloud run while `active`; stops looking when inactive or unmounted. */
export function useCloudRun(service: CloudRunService, date: string, active: boolean) {
  const [state, setState] = useState<CloudRunState>({});

  useEffect(() => {
    if (!active) return undefined;

    setState({});
    return service.follow(date, (event) =>
      setState((previous) =>
        event.type === 'view'
          ? { view: event.view }
          : { ...previous, failure: { reason: event.reason, at: event.at } },
      ),
    );
  }, [service, date, active]);

  return state;
}
