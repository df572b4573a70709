/**
 * The ticker × trading-day grid: for each weekday, what the bucket's manifest says of each
 * ticker. It is the positive proof that everything expected is there, which a listing of
 * objects cannot give: a missing manifest or a short day shows as such.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { readObject } from './bucket-browser.js';
import type { KeyLayout } from './config.js';
import { isTickopsError } from './errors.js';
import { parseManifest, type Manifest } from './manifest.js';
import type { TradingDate } from './market-data/types.js';
import { listingPrefix, objectKey } from './run-day.js';
import { listObjects, type BucketTarget } from './s3.js';
import { isWeekend } from './trading-day.js';

/** What one cell says. */
export type CellState = 'complete' | 'short' | 'empty' | 'failed' | 'missing';

/** One ticker on one day. */
export interface CoverageCell {
  readonly ticker: string;
  readonly date: TradingDate;
  readonly state: CellState;
  /** Why, in the operator's words: the failure reason, the bar count, the missing manifest. */
  readonly why: string;
}

/** The whole grid. */
export interface CoverageGrid {
  readonly dates: readonly TradingDate[];
  readonly tickers: readonly string[];
  readonly cells: ReadonlyMap<string, CoverageCell>;
}

/** The map key of a cell. */
export function cellKey(ticker: string, date: TradingDate): string {
  return `${ticker}|${date}`;
}

/** The last `count` weekdays up to and including `today`, oldest first. */
export function recentWeekdays(today: TradingDate, count: number): TradingDate[] {
  const dates: TradingDate[] = [];
  for (let day = new Date(`${today}T12:00:00Z`); dates.length < count;) {
    const date = day.toISOString().slice(0, 10);
    if (!isWeekend(date)) dates.unshift(date);
    day = new Date(day.getTime() - 86_400_000);
  }

  return dates;
}

/** Build the grid from the manifests found (undefined: no manifest that day). */
export function buildCoverage(
  tickers: readonly string[],
  manifests: ReadonlyMap<TradingDate, Manifest | { unreadable: string } | undefined>,
  expectedBars: number,
): CoverageGrid {
  const dates = [...manifests.keys()].sort();
  const cells = new Map<string, CoverageCell>();

  for (const date of dates) {
    const manifest = manifests.get(date);
    const entries = new Map(
      manifest && 'tickers' in manifest
        ? manifest.tickers.map((entry) => [entry.ticker, entry])
        : [],
    );
    for (const ticker of tickers) {
      const entry = entries.get(ticker);
      let cell: CoverageCell;
      if (!manifest) {
        cell = {
          ticker,
          date,
          state: 'missing',
          why: `no manifest for ${date}: the day was not run, or its run did not finish`,
        };
      } else if ('unreadable' in manifest) {
        cell = { ticker, date, state: 'missing', why: manifest.unreadable };
      } else if (!entry) {
        cell = {
          ticker,
          date,
          state: 'missing',
          why: `${ticker} is not in the manifest of ${date}`,
        };
      } else if (entry.status === 'failed') {
        cell = { ticker, date, state: 'failed', why: entry.reason ?? 'failed' };
      } else if (entry.status === 'empty') {
        cell = {
          ticker,
          date,
          state: 'empty',
          why: 'the source had no bars (holiday or untraded)',
        };
      } else if (entry.bars < expectedBars) {
        cell = { ticker, date, state: 'short', why: `${entry.bars} of ${expectedBars} bars` };
      } else {
        cell = { ticker, date, state: 'complete', why: `${entry.bars} bars` };
      }
      cells.set(cellKey(ticker, date), cell);
    }
  }

  return { dates, tickers, cells };
}

/** Read the manifests of the last `days` weekdays from the bucket and build the grid. */
export async function loadCoverage(
  s3: S3Client,
  target: BucketTarget,
  options: {
    readonly layout: KeyLayout;
    readonly tickers: readonly string[];
    readonly today: TradingDate;
    readonly days: number;
    readonly expectedBars: number;
    readonly signal?: AbortSignal;
  },
): Promise<CoverageGrid> {
  const dates = recentWeekdays(options.today, options.days);
  const prefix = listingPrefix(options.layout.manifest.split('{date}')[0] ?? '', options.today);
  const present = await listObjects(s3, target, prefix, { signal: options.signal });

  const manifests = new Map<TradingDate, Manifest | { unreadable: string } | undefined>();
  await Promise.all(
    dates.map(async (date) => {
      const key = objectKey(options.layout.manifest, date);
      if (!present.has(key)) {
        manifests.set(date, undefined);
        return;
      }
      try {
        const bytes = await readObject(s3, target, key, { signal: options.signal });
        const manifest = parseManifest(Buffer.from(bytes).toString('utf8'));
        manifests.set(date, manifest ?? { unreadable: `${key} is not a tickops manifest` });
      } catch (error) {
        if (!isTickopsError(error)) throw error;
        manifests.set(date, {
          unreadable: `${error.message}${error.hint ? `; ${error.hint}` : ''}`,
        });
      }
    }),
  );

  return buildCoverage(options.tickers, manifests, options.expectedBars);
}
