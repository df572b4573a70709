/**
 * One day of `--run-today` against the original system's one-at-a-time algorithm, in one run:
 * download (100 tickers, 200 ms source latency), upload (200 objects, 30 ms added to every S3
 * request), a no-op rerun, and the binary's start-up. Everything it talks to is a loopback
 * server it starts itself. It prints a table and exits 0 even when a target is missed.
 *
 * Run with `npm run bench` (which builds dist first, for the start-up rows).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DayStore } from '../src/services/day-store.js';
import { downloadDay, type DownloadJob } from '../src/services/downloader.js';
import {
  emulatorRegion,
  emulatorRootCredentials,
  isEmulatorInstalled,
  startLocalEmulator,
} from '../src/services/local-emulator.js';
import { createSource } from '../src/services/market-data/index.js';
import type { MarketDataSource } from '../src/services/market-data/types.js';
import { createS3Sink, type ObjectSink } from '../src/services/object-sink.js';
import { objectKey, runDay, type RunDayOptions } from '../src/services/run-day.js';
import { parseTickerList } from '../src/services/tickers.js';
import { UploadLedger, Uploader, type UploadItem } from '../src/services/uploader.js';
import { startDelayProxy } from '../test/support/delay-proxy.js';
import { startSourceServer, type SourceServer } from '../test/support/source-server.js';

// Set before any client exists: no SDK code path may ever ask the instance-metadata address.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// A fixed Friday: the simulated bars, and so every object's size, are the same on every run.
const date = '2024-10-25';
const exchange = 'LON';
const timeZone = 'Europe/London';
const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};
const symbols = Array.from({ length: 100 }, (_, index) => `T${String(index).padStart(3, '0')}`);
const sourceLatencyMs = 200;
const s3DelayMs = 30;
const concurrency = 16;
const retries = 4;
// The sequential baselines cost about 20 s and 8 s a run, so they run twice; ours three times.
const oursRuns = 3;
const baselineRuns = 2;
const startupRuns = 5;

/** One line of the printed table. */
interface Row {
  readonly variant: string;
  readonly seconds: number | undefined;
  readonly ratio: string;
  readonly target: string;
  readonly result: 'PASS' | 'FAIL' | '';
}

/** What the phases share. */
interface Bench {
  readonly root: string;
  readonly server: SourceServer;
  readonly source: MarketDataSource;
  readonly jobs: readonly DownloadJob[];
  readonly rows: Row[];
  readonly notes: string[];
}

const cleanups: (() => Promise<unknown>)[] = [];

/** Run `prepare` (untimed) then its returned action (timed), `runs` times; the median. */
async function measure(runs: number, prepare: (run: number) => Promise<() => Promise<void>>) {
  const seconds: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const act = await prepare(run);
    const started = performance.now();
    await act();
    seconds.push((performance.now() - started) / 1000);
  }

  const sorted = seconds.sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);

  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function verdict(pass: boolean): 'PASS' | 'FAIL' {
  return pass ? 'PASS' : 'FAIL';
}

async function benchDownload(bench: Bench): Promise<DayStore> {
  const { source, jobs } = bench;
  const request = (job: DownloadJob) => ({
    ticker: job.ticker,
    sourceSymbol: job.sourceSymbol,
    date,
    timeZone,
    exchange,
  });
  const stores: DayStore[] = [];
  const requestsBefore = bench.server.requestCount();

  const sequential = await measure(baselineRuns, async (run) => {
    const store = new DayStore(join(bench.root, `download-seq-${run}`), date);
    // The original: one fetch at a time, write the files, next ticker; no retries.
    return async () => {
      for (const job of jobs) {
        const result = await source.fetchDay(request(job));
        await store.saveResult(job.ticker, job.sourceSymbol, result);
      }
    };
  });

  const ours = await measure(oursRuns, async (run) => {
    const store = new DayStore(join(bench.root, `download-ours-${run}`), date);
    stores.push(store);
    return async () => {
      const outcomes = await downloadDay(jobs, {
        source,
        date,
        timeZone,
        exchange,
        concurrency,
        retries,
        saveResult: async (job, result) => {
          await store.saveResult(job.ticker, job.sourceSymbol, result);
        },
      });
      const bad = outcomes.filter((outcome) => outcome.status !== 'done');
      if (bad.length > 0) throw new Error(`download: ${bad.length} tickers did not finish`);
    };
  });

  const requests = bench.server.requestCount() - requestsBefore;
  const expected = jobs.length * (baselineRuns + oursRuns);
  if (requests !== expected)
    bench.notes.push(`download: ${requests} requests, ${expected} expected`);
  bench.notes.push(`download: peak requests in flight at the source ${bench.server.maxInFlight}`);

  const bound = (jobs.length * sourceLatencyMs) / 1000 / concurrency;
  const ratio = sequential / ours;
  bench.rows.push(
    {
      variant: 'download, sequential (original)',
      seconds: sequential,
      ratio: '1.0x',
      target: '',
      result: '',
    },
    {
      variant: `download, ours c=${concurrency}`,
      seconds: ours,
      ratio: `${ratio.toFixed(1)}x`,
      target: '>= 8x',
      result: verdict(ratio >= 8),
    },
    {
      variant: 'download, bound N*L/C',
      seconds: bound,
      ratio: `ours at ${Math.round((bound / ours) * 100)}%`,
      target: '',
      result: '',
    },
  );

  return stores[0] as DayStore;
}

/** Count every HTTP attempt per command; the deserialize step runs once per attempt. */
function countRequests(s3: S3Client): Map<string, number> {
  const counts = new Map<string, number>();
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'deserialize', name: 'benchRequestCounter' },
  );

  return counts;
}

async function uploadItems(store: DayStore): Promise<UploadItem[]> {
  const entries = [...(await store.readEntries()).values()];

  return entries.flatMap((entry) => [
    {
      key: objectKey(layout.raw, date, entry.ticker, 'json'),
      path: store.pathOf(entry.raw?.file ?? ''),
      contentType: 'application/json',
    },
    {
      key: objectKey(layout.bars, date, entry.ticker),
      path: store.pathOf(entry.csv?.file ?? ''),
      contentType: 'text/csv; charset=utf-8',
    },
  ]);
}

async function benchUpload(bench: Bench, s3: S3Client, endpoint: string, store: DayStore) {
  const items = await uploadItems(store);
  const sizes = await Promise.all(items.map(async (item) => (await readFile(item.path)).length));
  const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
  bench.notes.push(
    `upload: ${items.length} objects, ${kB(Math.min(...sizes))} to ` +
      `${kB(Math.max(...sizes))}, ${kB(sizes.reduce((a, b) => a + b, 0))} in all`,
  );
  const sinkFor = (bucket: string) =>
    createS3Sink(s3, { bucket, region: emulatorRegion, endpoint });
  const sinks: ObjectSink[] = [];

  // A fresh bucket per run, so both sides PUT every object; bucket creation is not timed.
  const sequential = await measure(baselineRuns, async (run) => {
    const bucket = `bench-seq-${run}`;
    const sink = sinkFor(bucket);
    await sink.ensureReady();
    sinks.push(sink);
    return async () => {
      for (const item of items) {
        const body = await readFile(item.path);
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: item.key,
            Body: body,
            ContentType: item.contentType,
          }),
        );
      }
    };
  });

  const ours = await measure(oursRuns, async (run) => {
    const sink = sinkFor(`bench-ours-${run}`);
    await sink.ensureReady();
    sinks.push(sink);
    const ledger = await UploadLedger.load(join(bench.root, `ledger-ours-${run}.json`));
    // As runDay does: list what the bucket holds, then upload everything it lacks.
    return async () => {
      const uploader = new Uploader({ sink, existing: await sink.list(''), ledger, concurrency });
      const results = await Promise.all(items.map((item) => uploader.upload(item)));
      const bad = results.filter((result) => result !== 'uploaded');
      if (bad.length > 0) throw new Error(`upload: ${bad.length} objects not uploaded`);
    };
  });

  const counts = await Promise.all(sinks.map(async (sink) => (await sink.list('')).size));
  if (counts.some((count) => count !== items.length)) {
    bench.notes.push(`upload: buckets hold ${counts.join(', ')} objects, ${items.length} expected`);
  }

  const ratio = sequential / ours;
  bench.rows.push(
    {
      variant: 'upload, sequential PutObject',
      seconds: sequential,
      ratio: '1.0x',
      target: '',
      result: '',
    },
    {
      variant: `upload, ours c=${concurrency}`,
      seconds: ours,
      ratio: `${ratio.toFixed(1)}x`,
      target: '>= 5x',
      result: verdict(ratio >= 5),
    },
  );
}

async function benchRerun(bench: Bench, s3: S3Client, endpoint: string, puts: () => number) {
  const options: RunDayOptions = {
    date,
    exchange,
    timeZone,
    layout,
    concurrency,
    retries,
    tickers: parseTickerList(symbols.join('\n'), 'bench tickers').tickers,
    source: bench.source,
    store: new DayStore(join(bench.root, 'rerun'), date),
    sink: createS3Sink(s3, { bucket: 'bench-rerun', region: emulatorRegion, endpoint }),
    uploadConcurrency: concurrency,
  };

  // The first run stores and uploads everything; only the reruns after it are timed.
  const first = await runDay(options);
  const putsBefore = puts();
  const fetchesBefore = bench.server.requestCount();
  let downloaded = 0;
  let unchanged = 0;
  const seconds = await measure(oursRuns, async () => async () => {
    const summary = await runDay(options);
    downloaded += summary.downloaded;
    unchanged = summary.unchanged;
  });
  const rerunPuts = puts() - putsBefore;
  const fetches = bench.server.requestCount() - fetchesBefore;

  bench.notes.push(
    `rerun: first run uploaded ${first.uploaded} (manifest ${first.manifest}); ` +
      `each rerun found ${unchanged} unchanged; ${downloaded} downloads, ${fetches} source requests`,
  );
  bench.rows.push({
    variant: 'no-op rerun, runDay',
    seconds,
    ratio: `${rerunPuts} PUTs`,
    target: '< 1 s, 0 PUTs',
    result: verdict(seconds < 1 && rerunPuts === 0 && fetches === 0),
  });
}

async function medianRun(args: readonly string[]): Promise<number> {
  const run = promisify(execFile);
  // A bare environment: nothing inherited can point the child at anything.
  const env = { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true' };

  return measure(startupRuns, async () => async () => {
    await run(process.execPath, [...args], { env });
  });
}

async function benchStartup(bench: Bench) {
  const main = resolve('dist/commands/main.js');
  if (!existsSync(main)) {
    bench.notes.push('start-up: skipped, dist/commands/main.js is missing (npm run build)');
    return;
  }

  const help = await medianRun([main, '--run-today', '--help']);
  // --help exits during parsing, before run-today.js (and the AWS SDK) is imported.
  const command = pathToFileURL(resolve('dist/commands/run-today.js')).href;
  const load = await medianRun([
    '--input-type=module',
    '-e',
    `await import(${JSON.stringify(command)})`,
  ]);
  bench.rows.push(
    {
      variant: 'start-up, --run-today --help',
      seconds: help,
      ratio: '',
      target: '< 0.3 s',
      result: verdict(help < 0.3),
    },
    { variant: 'start-up, import run-today.js', seconds: load, ratio: '', target: '', result: '' },
  );
}

async function benchS3(bench: Bench, store: DayStore) {
  if (!isEmulatorInstalled()) {
    bench.notes.push('upload and rerun: skipped, moto_server is not on PATH');
    return;
  }

  const moto = await startLocalEmulator();
  cleanups.push(() => moto.stop());
  const proxy = await startDelayProxy({
    target: { host: '127.0.0.1', port: moto.port },
    delayMs: s3DelayMs,
  });
  cleanups.push(() => proxy.close());
  // The product's own client settings, aimed at the proxy with moto's fake credentials.
  const s3 = new S3Client({
    region: emulatorRegion,
    endpoint: proxy.url,
    forcePathStyle: true,
    credentials: emulatorRootCredentials,
    maxAttempts: 5,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 60_000 }),
  });
  cleanups.push(async () => s3.destroy());
  const counts = countRequests(s3);

  await benchUpload(bench, s3, proxy.url, store);
  await benchRerun(bench, s3, proxy.url, () => counts.get('PutObjectCommand') ?? 0);
}

function printReport(bench: Bench, totalSeconds: number) {
  const cpuList = cpus();
  const facts = [
    `date ${new Date().toISOString()}, node ${process.version}, ${platform()} ${release()}`,
    `cpu ${cpuList[0]?.model ?? 'unknown'} x ${cpuList.length}, ` +
      `memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `${symbols.length} tickers, source latency ${sourceLatencyMs} ms, S3 delay ${s3DelayMs} ms, ` +
      `concurrency ${concurrency}; medians of ${oursRuns} (ours) and ${baselineRuns} (sequential)`,
  ];
  const cells = bench.rows.map((row) => [
    row.variant,
    row.seconds === undefined ? '' : row.seconds.toFixed(3),
    row.ratio,
    row.target,
    row.result,
  ]);
  const header = ['variant', 'seconds', 'ratio', 'target', 'result'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => (cell[column] ?? '').length)),
  );
  const line = (cell: readonly string[]) =>
    `| ${cell.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`;

  const out = [
    ...facts,
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
    '',
    ...bench.notes,
    `bench took ${totalSeconds.toFixed(1)} s`,
  ];
  const failed = bench.rows.filter((row) => row.result === 'FAIL').length;
  out.push(failed === 0 ? 'all targets met' : `FAIL: ${failed} target(s) missed`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function cleanUp() {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
  }
}

async function main() {
  const started = performance.now();
  const root = await mkdtemp(join(tmpdir(), 'tickops-bench-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const server = await startSourceServer({ latencyMs: sourceLatencyMs, date, timeZone });
  cleanups.push(() => server.close());
  // sourceUrl is always given: without it the yahoo source would aim at the live Yahoo.
  const source = createSource({ source: 'yahoo', sourceUrl: server.url, timeoutMs: 20_000 });
  const jobs = symbols.map((ticker) => ({
    ticker,
    sourceSymbol: source.toSourceSymbol(ticker, exchange),
  }));
  await server.warm(jobs.map((job) => job.sourceSymbol));
  const bench: Bench = { root, server, source, jobs, rows: [], notes: [] };

  const store = await benchDownload(bench);
  await benchS3(bench, store);
  await benchStartup(bench);

  printReport(bench, (performance.now() - started) / 1000);
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
