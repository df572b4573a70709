/** The text of an object opened in the browser, turned into what its preview needs. */
import { useEffect, useState } from 'react';
import { parseBarsCsv } from '../../services/bars-csv.js';
import { parseManifest, type Manifest } from '../../services/manifest.js';
import type { Bar } from '../../services/market-data/types.js';
import type { BucketService } from '../console-services.js';
import { asErrorState } from './use-bucket-listing.js';

/** A preview by kind of object. */
export type PreviewState =
  | { readonly status: 'loading' }
  | { readonly status: 'bars'; readonly bars: readonly Bar[]; readonly lines: readonly string[] }
  | { readonly status: 'manifest'; readonly manifest: Manifest }
  | { readonly status: 'text'; readonly lines: readonly string[] }
  | { readonly status: 'error'; readonly message: string; readonly hint: string | undefined };

/** Read and classify `key`. */
export function useObjectPreview(bucket: BucketService, key: string): PreviewState {
  const [state, setState] = useState<PreviewState>({ status: 'loading' });

  useEffect(() => {
    const abort = new AbortController();
    setState({ status: 'loading' });
    bucket.read(key, abort.signal).then(
      (bytes) =>
        !abort.signal.aborted && setState(classify(key, Buffer.from(bytes).toString('utf8'))),
      (error: unknown) => !abort.signal.aborted && setState(asErrorState(error)),
    );
    return () => abort.abort();
  }, [bucket, key]);

  return state;
}

function classify(key: string, text: string): PreviewState {
  const lines = text.split('\n').filter((line) => line !== '');
  if (key.endsWith('.csv') && lines[0]?.startsWith('time,open,high,low,close')) {
    return { status: 'bars', bars: parseBarsCsv(text), lines };
  }

  const manifest = key.endsWith('.json') ? parseManifest(text) : undefined;
  if (manifest) return { status: 'manifest', manifest };

  return { status: 'text', lines };
}
