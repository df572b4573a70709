/**
 * The benchmarks of issue 6 that concern `--run-today`, in one run: download (100 and 500
 * tickers at 50 and 200 ms source latency), upload (against one PUT at a time and against
 * `aws s3 sync`), a no-op rerun, and the start-up of the job and of the console. Everything it
 * talks to is a loopback server it starts itself. It prints a table and exits 0 even when a
 * target is missed. The Run screen's CPU and RSS are measured by console.bench.mjs.
 *
 * Run with `npm run bench` (which builds dist first, for the start-up rows).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DayStore } from '../src/services/day-store.js';
import { isEmulatorInstalled } from '../src/services/local-emulator.js';
import { hasTmux } from '../test/support/tmux.js';
import { benchConsoleStartup } from './console-startup.js';
import { benchDownload, downloadSizes } from './download.js';
import { benchRerun } from './rerun.js';
import { benchStartup } from './startup.js';
import { cleanUp, onCleanup } from './support/cleanup.js';
import {
  baselineRuns,
  concurrency,
  oursRuns,
  s3DelayMs,
  sequentialDownloadRuns,
  startupRuns,
} from './support/day.js';
import { describeMachine, formatLoad } from './support/machine.js';
import { countRequests, loopbackS3, startBenchS3 } from './support/s3.js';
import { startBenchSource, type BenchSource } from './support/source.js';
import { printReport, type Report } from './support/table.js';
import { benchUpload, uploadItems } from './upload.js';
import { benchSync, hasAwsCli } from './upload-sync.js';

// Set before any client exists: no SDK code path may ever ask the instance-metadata address.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Source latencies measured; the last one also serves the upload, rerun and console areas. */
const latenciesMs = [50, 200] as const;

/** The last download's source, still running, and ours' 100-ticker store from it. */
interface Downloaded {
  readonly source: BenchSource;
  readonly store: DayStore;
}

/** Download at every latency, one source at a time. */
async function runDownloads(report: Report, root: string): Promise<Downloaded> {
  const largest = Math.max(...downloadSizes);
  let last: Downloaded | undefined;
  for (const latencyMs of latenciesMs) {
    if (last) await last.source.server.close();
    const source = await startBenchSource(latencyMs, largest);
    last = { source, store: await benchDownload(report, root, source) };
  }

  if (!last) throw new Error('no source latency to measure');
  return last;
}

/** Upload, aws s3 sync, rerun and console start-up: everything that needs moto. */
async function runS3Areas(report: Report, root: string, binary: string, download: Downloaded) {
  const { moto, proxy } = await startBenchS3();
  const delayed = { s3: loopbackS3(proxy.url), endpoint: proxy.url };
  const counts = countRequests(delayed.s3);
  const direct = { s3: loopbackS3(moto.endpoint), endpoint: moto.endpoint };
  const items = await uploadItems(download.store);

  const measured = await benchUpload(report, root, { delayed, direct }, items);
  if (await hasAwsCli(root)) await benchSync(report, root, delayed, items, measured);
  else report.notes.push('aws s3 sync: skipped, the aws CLI is not on PATH');

  await benchRerun(report, root, download.source, { ...delayed, counts });

  if (!existsSync(binary)) report.notes.push('console start-up: skipped, no dist (npm run build)');
  else if (!(await hasTmux())) report.notes.push('console start-up: skipped, tmux is missing');
  else await benchConsoleStartup(report, root, binary, moto, download.source.server.url);
}

async function main() {
  const started = performance.now();
  const loadAtStart = formatLoad();
  const root = await mkdtemp(join(tmpdir(), 'tickops-bench-'));
  onCleanup(() => rm(root, { recursive: true, force: true }));
  const report: Report = { rows: [], notes: [] };
  const binary = resolve('dist/commands/main.js');

  const downloaded = await runDownloads(report, root);

  if (isEmulatorInstalled()) await runS3Areas(report, root, binary, downloaded);
  else report.notes.push('upload, rerun and console start-up: skipped, moto_server is not on PATH');

  if (existsSync(binary)) await benchStartup(report, root, binary);
  else report.notes.push('start-up: skipped, dist/commands/main.js is missing (npm run build)');

  const took = ((performance.now() - started) / 1000).toFixed(1);
  printReport(report, [
    ...(await describeMachine(loadAtStart)),
    `tickers ${downloadSizes.join(' and ')}, source latency ${latenciesMs.join(' and ')} ms ` +
      `with no rate limit (R infinite, so N/R = 0), S3 delay ${s3DelayMs} ms, ours at ` +
      `concurrency ${concurrency} (C); medians of ${oursRuns} (ours, aws s3 sync), ` +
      `${baselineRuns} (sequential upload), ${sequentialDownloadRuns} (sequential download) and ` +
      `${startupRuns} (start-up); bench took ${took} s`,
  ]);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
