/** The coverage grid, read from the bucket's manifests when the screen opens or reloads. */
import { useEffect, useState } from 'react';
import type { CoverageGrid } from '../../services/coverage.js';
import type { ConsoleServices } from '../console-services.js';
import { asErrorState } from './use-bucket-listing.js';

/** Loading, the grid, or why it could not be read. */
export type CoverageState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly grid: CoverageGrid }
  | { readonly status: 'error'; readonly message: string; readonly hint: string | undefined };

/** Load the grid; `reload` is a counter the screen bumps. */
export function useCoverage(services: ConsoleServices, reload: number): CoverageState {
  const [state, setState] = useState<CoverageState>({ status: 'loading' });

  useEffect(() => {
    const abort = new AbortController();
    setState({ status: 'loading' });
    services.coverage(abort.signal).then(
      (grid) => !abort.signal.aborted && setState({ status: 'ready', grid }),
      (error: unknown) => !abort.signal.aborted && setState(asErrorState(error)),
    );
    return () => abort.abort();
  }, [services, reload]);

  return state;
}
