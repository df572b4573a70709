/**
 * No-op rerun: `runDay` a second time over 100 tickers already stored and uploaded. Every S3
 * HTTP attempt is counted per command, and source requests at the source server.
 */
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DayStore } from '../src/services/day-store.js';
import { emulatorRegion } from '../src/services/local-emulator.js';
import { createS3Sink } from '../src/services/object-sink.js';
import { runDay, type RunDayOptions } from '../src/services/run-day.js';
import { parseTickerList } from '../src/services/tickers.js';
import {
  concurrency,
  date,
  exchange,
  layout,
  oursRuns,
  retries,
  tickerSymbols,
  timeZone,
} from './support/day.js';
import type { Counts } from './support/s3.js';
import type { BenchSource } from './support/source.js';
import { row, type Report } from './support/table.js';
import { measure } from './support/timing.js';

const tickers = 100;

/** `s3` must be counted by `counts` (see countRequests). */
export async function benchRerun(
  report: Report,
  root: string,
  bench: BenchSource,
  target: { readonly s3: S3Client; readonly endpoint: string; readonly counts: Counts },
) {
  const { s3, endpoint, counts } = target;
  const options: RunDayOptions = {
    date,
    exchange,
    timeZone,
    layout,
    concurrency,
    retries,
    tickers: parseTickerList(tickerSymbols(tickers).join('\n'), 'bench tickers').tickers,
    source: bench.source,
    store: new DayStore(join(root, 'rerun'), date),
    sink: createS3Sink(s3, { bucket: 'bench-rerun', region: emulatorRegion, endpoint }),
    uploadConcurrency: concurrency,
  };

  // The first run stores and uploads everything; only the reruns after it are timed.
  const first = await runDay(options);
  const before = new Map(counts);
  const fetchesBefore = bench.server.requestCount();
  let downloaded = 0;
  let unchanged = 0;
  const seconds = await measure(oursRuns, async () => async () => {
    const summary = await runDay(options);
    downloaded += summary.downloaded;
    unchanged = summary.unchanged;
  });

  const fetches = bench.server.requestCount() - fetchesBefore;
  const sent = [...counts].map(([name, count]) => [name, count - (before.get(name) ?? 0)] as const);
  const puts = sent.find(([name]) => name === 'PutObjectCommand')?.[1] ?? 0;
  const perRun = sent
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name.replace(/Command$/, '')} ${count / oursRuns}`);
  report.notes.push(
    `rerun: the first run uploaded ${first.uploaded} (manifest ${first.manifest}); each rerun ` +
      `found ${unchanged} unchanged, made ${downloaded} downloads and ${fetches} source ` +
      `requests; S3 requests per rerun: ${perRun.join(', ') || 'none'}`,
  );
  const pass = seconds < 1 && puts === 0 && fetches === 0;
  report.rows.push(
    row(`no-op rerun of ${tickers}, runDay`, seconds, `${puts} PUTs`, '< 1 s, 0 PUTs', pass),
  );
}
