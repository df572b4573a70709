/** One level of the bucket, loaded when the prefix changes and aborted when it changes again. */
import { useEffect, useState } from 'react';
import type { BucketLevel } from '../../services/bucket-browser.js';
import type { BucketService } from '../console-services.js';

/** What the browser shows while loading, once loaded, or when listing failed. */
export type ListingState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly level: BucketLevel }
  | { readonly status: 'error'; readonly message: string; readonly hint: string | undefined };

/** Load `prefix`; `reload` is a counter the screen bumps to list again. */
export function useBucketListing(
  bucket: BucketService,
  prefix: string,
  reload: number,
): ListingState {
  const [state, setState] = useState<ListingState>({ status: 'loading' });

  useEffect(() => {
    const abort = new AbortController();
    setState({ status: 'loading' });
    bucket.list(prefix, abort.signal).then(
      (level) => !abort.signal.aborted && setState({ status: 'ready', level }),
      (error: unknown) => !abort.signal.aborted && setState(asErrorState(error)),
    );
    return () => abort.abort();
  }, [bucket, prefix, reload]);

  return state;
}

/** An error as the screens show it: message and what to do. */
export function asErrorState(error: unknown): {
  status: 'error';
  message: string;
  hint: string | undefined;
} {
  const message = error instanceof Error ? error.message : String(error);
  const hint = (error as { hint?: string }).hint;

  return { status: 'error', message, hint };
}
