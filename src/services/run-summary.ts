/** The account of a run: per-ticker outcomes and the totals a summary line prints. */
import type { UploadResult } from './uploader.js';
import type { TradingDate } from './market-data/types.js';

/** How one ticker ended, downloads and uploads together. */
export interface TickerOutcome {
  readonly ticker: string;
  readonly status: 'done' | 'empty' | 'failed';
  readonly bars: number;
  readonly bytes: number;
  readonly currency: string | undefined;
  readonly reason: string | undefined;
  /** The failure will not change today (no data for the symbol); a rerun does not retry it. */
  readonly permanent: boolean;
  /** Stored by an earlier run: nothing was downloaded now. */
  readonly fromEarlierRun: boolean;
  readonly uploaded: number;
  readonly unchanged: number;
  readonly uploadFailed: boolean;
  readonly durationMs: number;
}

/** The totals of a run. */
export interface RunSummary {
  readonly date: TradingDate;
  readonly total: number;
  /** Set when nothing was attempted because the exchange is closed that day. */
  readonly closed?: string;
  readonly downloaded: number;
  readonly resumed: number;
  readonly done: number;
  readonly empty: number;
  readonly failed: readonly { readonly ticker: string; readonly reason: string }[];
  readonly uploaded: number;
  readonly unchanged: number;
  readonly bytes: number;
  readonly manifest: UploadResult | 'held-back' | 'none';
  readonly durationMs: number;
}

/** A summary of a run that did nothing. */
export function emptySummary(date: TradingDate, total: number, closed?: string): RunSummary {
  return {
    date,
    total,
    ...(closed ? { closed } : {}),
    downloaded: 0,
    resumed: 0,
    done: 0,
    empty: 0,
    failed: [],
    uploaded: 0,
    unchanged: 0,
    bytes: 0,
    manifest: 'none',
    durationMs: 0,
  };
}

/** Add up the outcomes. */
export function summarize(
  date: TradingDate,
  outcomes: readonly TickerOutcome[],
  manifest: RunSummary['manifest'],
  durationMs: number,
): RunSummary {
  const count = (test: (outcome: TickerOutcome) => boolean) => outcomes.filter(test).length;

  return {
    date,
    total: outcomes.length,
    downloaded: count((o) => !o.fromEarlierRun && o.status !== 'failed'),
    resumed: count((o) => o.fromEarlierRun && o.status !== 'failed'),
    done: count((o) => o.status === 'done'),
    empty: count((o) => o.status === 'empty'),
    failed: outcomes
      .filter((o) => o.status === 'failed')
      .map((o) => ({ ticker: o.ticker, reason: o.reason ?? 'failed' })),
    uploaded: outcomes.reduce((sum, o) => sum + o.uploaded, 0) + (manifest === 'uploaded' ? 1 : 0),
    unchanged:
      outcomes.reduce((sum, o) => sum + o.unchanged, 0) + (manifest === 'unchanged' ? 1 : 0),
    bytes: outcomes.reduce((sum, o) => sum + (o.fromEarlierRun ? 0 : o.bytes), 0),
    manifest,
    durationMs,
  };
}
