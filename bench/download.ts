/**
 * Download: ours (`downloadDay`, each result saved through `DayStore`) against the original
 * one-at-a-time loop and against the concurrency bound, for 100 and 500 tickers on one source.
 */
import { join } from 'node:path';
import { DayStore } from '../src/services/day-store.js';
import { downloadDay, type DownloadJob } from '../src/services/downloader.js';
import type { DayResult } from '../src/services/market-data/types.js';
import {
  concurrency,
  date,
  exchange,
  oursRuns,
  retries,
  sequentialDownloadRuns,
  timeZone,
} from './support/day.js';
import type { BenchSource } from './support/source.js';
import { extrapolatedRow, row, share, times, type Report } from './support/table.js';
import { measure } from './support/timing.js';

/** Ticker counts measured; the sequential baseline is timed on the smallest only. */
export const downloadSizes = [100, 500] as const;

/** Ours must be at least this many times faster than the original. */
const targetRatio = 8;

/** The original: one fetch at a time, write the files, next ticker; no retries. */
async function measureSequential(root: string, bench: BenchSource, jobs: readonly DownloadJob[]) {
  return measure(sequentialDownloadRuns, async (run) => {
    const store = new DayStore(join(root, `download-seq-${bench.latencyMs}-${run}`), date);
    return async () => {
      for (const job of jobs) {
        const result = await bench.source.fetchDay({ ...job, date, timeZone, exchange });
        await store.saveResult(job.ticker, job.sourceSymbol, result);
      }
    };
  });
}

/** Ours: `downloadDay` at concurrency C, saving each result as `runDay` does. */
async function measureOurs(root: string, bench: BenchSource, jobs: readonly DownloadJob[]) {
  const stores: DayStore[] = [];
  const seconds = await measure(oursRuns, async (run) => {
    const folder = join(root, `download-ours-${bench.latencyMs}-${jobs.length}-${run}`);
    const store = new DayStore(folder, date);
    stores.push(store);
    const saveResult = async (job: DownloadJob, result: DayResult) => {
      await store.saveResult(job.ticker, job.sourceSymbol, result);
    };
    return async () => {
      const options = { source: bench.source, date, timeZone, exchange, concurrency, retries };
      const outcomes = await downloadDay(jobs, { ...options, saveResult });
      const bad = outcomes.filter((outcome) => outcome.status !== 'done');
      if (bad.length > 0) throw new Error(`download: ${bad.length} tickers did not finish`);
    };
  });

  return { seconds, store: stores[0] as DayStore };
}

/**
 * max(N*L/C, N/R): C requests in flight each taking L, or a rate limit R a second. The loopback
 * source has no rate limit, so R is infinite and N/R is 0.
 */
function concurrencyBound(tickers: number, latencySeconds: number) {
  const rateLimitPerSecond = Number.POSITIVE_INFINITY;

  return Math.max((tickers * latencySeconds) / concurrency, tickers / rateLimitPerSecond);
}

/**
 * Measure every size on one source and add the rows. The sequential loop is timed on the first
 * 100 tickers only; for 500 it is that time per ticker times 500, marked as extrapolated.
 * Resolves with the store of ours' first 100-ticker run, for the upload area.
 */
export async function benchDownload(report: Report, root: string, bench: BenchSource) {
  const requestsBefore = bench.server.requestCount();
  const latency = bench.latencyMs / 1000;
  const [sample, ...larger] = downloadSizes;
  const sampleJobs = bench.jobs.slice(0, sample);
  const sequential = await measureSequential(root, bench, sampleJobs);
  const perTicker = sequential / sample;
  let firstStore: DayStore | undefined;

  for (const size of [sample, ...larger]) {
    const label = `download ${size} @ ${bench.latencyMs} ms`;
    const ours = await measureOurs(root, bench, bench.jobs.slice(0, size));
    firstStore ??= ours.store;
    const baseline = perTicker * size;
    const ratio = baseline / ours.seconds;
    const bound = concurrencyBound(size, latency);
    // Requests go out in whole rounds of C, so 100 at 16 take 7 rounds, not 6.25.
    const rounds = Math.ceil(size / concurrency) * latency;

    report.rows.push(
      size === sample
        ? row(`${label}, sequential (original)`, baseline, '1.0x')
        : extrapolatedRow(
            `${label}, sequential, EXTRAPOLATED: ${size / sample} x the ${sample}-ticker run`,
            baseline,
            '1.0x',
          ),
      row(
        `${label}, ours c=${concurrency}`,
        ours.seconds,
        size === sample ? times(ratio) : `${times(ratio)} vs extrapolated`,
        `>= ${targetRatio}x`,
        ratio >= targetRatio,
      ),
      row(`${label}, bound max(N*L/C, N/R)`, bound, share(bound, ours.seconds)),
      row(`${label}, bound ceil(N/C)*L`, rounds, share(rounds, ours.seconds)),
    );
  }

  const requests = bench.server.requestCount() - requestsBefore;
  const sizes = downloadSizes.reduce((sum, size) => sum + size, 0);
  const expected = sample * sequentialDownloadRuns + sizes * oursRuns;
  const retried = requests === expected ? '' : ` (${expected} expected: some were retried)`;
  report.notes.push(
    `download @ ${bench.latencyMs} ms: ${requests} source requests${retried}, ` +
      `peak in flight at the source ${bench.server.maxInFlight}`,
  );

  return firstStore as DayStore;
}
