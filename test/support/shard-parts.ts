/** Manifests, entries and shard parts of a London day from the Yahoo source, for tests. */
import type { Manifest, ManifestEntry } from '../../src/services/manifest.js';
import type { TradingDate } from '../../src/services/market-data/types.js';
import { formatManifestPart } from '../../src/services/shard-part.js';

/** A ticker fetched whole: 510 bars, its raw response and CSV of the sizes given. */
export function doneEntry(ticker: string, rawBytes = 30_000, csvBytes = 20_000): ManifestEntry {
  return {
    ticker,
    sourceSymbol: `${ticker}.L`,
    status: 'done',
    bars: 510,
    raw: { file: `raw/${ticker}.json`, bytes: rawBytes, sha256: 'x' },
    csv: { file: `bars/${ticker}.csv`, bytes: csvBytes, sha256: 'y' },
  };
}

/** A ticker the source had nothing for. */
export function failedEntry(ticker: string, reason = 'no data'): ManifestEntry {
  return { ticker, sourceSymbol: `${ticker}.L`, status: 'failed', bars: 0, reason };
}

/** The day's manifest with these entries. */
export function londonManifest(date: TradingDate, tickers: readonly ManifestEntry[]): Manifest {
  return {
    version: 1,
    date,
    exchange: 'LON',
    timeZone: 'Europe/London',
    source: 'yahoo',
    simulated: false,
    tickers,
  };
}

/** The text of shard `index` of `count`'s part of that day. */
export function partText(
  date: TradingDate,
  index: number,
  count: number,
  tickers: readonly ManifestEntry[],
): string {
  return formatManifestPart({ ...londonManifest(date, tickers), shard: { index, count } });
}
