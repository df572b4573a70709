/** The one trading day every area measures, and the settings they share. */

// A fixed Friday: the simulated bars, and so every object's size, are the same on every run.
export const date = '2024-10-25';
export const exchange = 'LON';
export const timeZone = 'Europe/London';
export const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};

/** Downloads and uploads in flight at most, for ours (the product's defaults are 8 and 16). */
export const concurrency = 16;
export const retries = 4;

/** Added to every S3 request by the delay proxy: a stand-in for the round trip to a region. */
export const s3DelayMs = 30;

/** Timed runs per measurement: ours is cheap, the sequential baselines cost seconds each. */
export const oursRuns = 3;
export const baselineRuns = 2;
export const startupRuns = 5;
/**
 * The sequential download runs once: its 100 requests in a row average themselves, and a second
 * run at 200 ms would add about 21 s to a suite meant to take under three minutes.
 */
export const sequentialDownloadRuns = 1;

/** `T000`, `T001`, ...: the first 100 of 500 are the 100-ticker list. */
export function tickerSymbols(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `T${String(index).padStart(3, '0')}`);
}
