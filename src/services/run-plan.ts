/** Deciding, before anything is fetched, what each ticker of a run needs. */
import type { DayStore } from './day-store.js';
import { isPermanentFailure, type ManifestEntry } from './manifest.js';
import type { MarketDataSource } from './market-data/types.js';
import type { Ticker } from './tickers.js';

/** What the run will do for one ticker. */
export interface PlannedTicker {
  readonly ticker: Ticker;
  readonly sourceSymbol: string;
  /**
   * `download`: fetch it; `resume`: an earlier run stored it intact, only upload what the
   * bucket lacks; `skip-failed`: an earlier run learned the source has nothing for it today.
   */
  readonly action: 'download' | 'resume' | 'skip-failed';
  readonly entry?: ManifestEntry;
}

/** Plan every ticker from the day folder's committed entries. */
export async function planDay(
  tickers: readonly Ticker[],
  entries: ReadonlyMap<string, ManifestEntry>,
  options: {
    store: DayStore;
    source: MarketDataSource;
    exchange: string;
    force?: boolean;
    retry?: readonly string[];
  },
): Promise<PlannedTicker[]> {
  return Promise.all(
    tickers.map(async (ticker): Promise<PlannedTicker> => {
      const sourceSymbol =
        ticker.sourceSymbol ?? options.source.toSourceSymbol(ticker.symbol, options.exchange);
      const entry = entries.get(ticker.symbol);
      const forced = options.force || options.retry?.includes(ticker.symbol);
      if (forced || !entry) return { ticker, sourceSymbol, action: 'download' };

      const complete = entry.status !== 'failed' && !entry.provisional;
      if (complete && (await options.store.hasIntactFiles(entry))) {
        return { ticker, sourceSymbol, action: 'resume', entry };
      }
      if (isPermanentFailure(entry) && entry.sourceSymbol === sourceSymbol) {
        return { ticker, sourceSymbol, action: 'skip-failed', entry };
      }

      return { ticker, sourceSymbol, action: 'download' };
    }),
  );
}
