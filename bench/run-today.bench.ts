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
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
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
import { createS3Sink } from '../src/services/object-sink.js';
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
// The sequential baselines cost about 21 s and 8 s a run, so they run twice; ours three times.
const oursRuns = 3;
const baselineRuns = 2;
const startupRuns = 5;

/** One line of the printed table. */
interface Row {
  readonly variant: string;
  readonly seconds: number;
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

/** The phases that also have a moto of their own. */
interface S3Bench extends Bench {
  readonly motoEndpoint: string;
}

/** HTTP attempts per command name, e.g. `PutObjectCommand`. */
type Counts = Map<string, number>;

const cleanups: (() => Promise<unknown>)[] = [];

/** Run `prepare` (untimed), then the action it returns (timed), `runs` times; the median. */
async function measure(runs: number, prepare: (run: number) => Promise<() => Promise<void>>) {
  const seconds: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const act = await prepare(run);
    const started = performance.now();
    await act();
    seconds.push((performance.now() - started) / 1000);
  }

  const sorted = seconds.sort((a, b) => a - b);
  const high = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const low = sorted[Math.ceil(sorted.length / 2) - 1] ?? 0;

  return (low + high) / 2;
}

function row(variant: string, seconds: number, ratio = '', target = '', pass?: boolean): Row {
  const result = pass === undefined ? '' : pass ? 'PASS' : 'FAIL';

  return { variant, seconds, ratio, target, result };
}

const times = (ratio: number) => `${ratio.toFixed(1)}x`;
const share = (bound: number, seconds: number) => `ours at ${Math.round((bound / seconds) * 100)}%`;

async function benchDownload(bench: Bench): Promise<DayStore> {
  const { source, jobs } = bench;
  const request = (job: DownloadJob) => ({ ...job, date, timeZone, exchange });
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
    const saveResult = async (job: DownloadJob, result: Parameters<DayStore['saveResult']>[2]) => {
      await store.saveResult(job.ticker, job.sourceSymbol, result);
    };
    return async () => {
      const options = { source, date, timeZone, exchange, concurrency, retries, saveResult };
      const outcomes = await downloadDay(jobs, options);
      const bad = outcomes.filter((outcome) => outcome.status !== 'done');
      if (bad.length > 0) throw new Error(`download: ${bad.length} tickers did not finish`);
    };
  });

  const requests = bench.server.requestCount() - requestsBefore;
  const expected = jobs.length * (baselineRuns + oursRuns);
  const retried = requests === expected ? '' : ` (${expected} expected: some were retried)`;
  bench.notes.push(
    `download: ${requests} source requests${retried}, ` +
      `peak in flight at the source ${bench.server.maxInFlight}`,
  );

  const latency = sourceLatencyMs / 1000;
  const bound = (jobs.length * latency) / concurrency;
  // Requests go out in whole rounds of C, so 100 at 16 take 7 rounds, not 6.25.
  const rounds = Math.ceil(jobs.length / concurrency) * latency;
  const ratio = sequential / ours;
  bench.rows.push(
    row('download, sequential (original)', sequential, '1.0x'),
    row(`download, ours c=${concurrency}`, ours, times(ratio), '>= 8x', ratio >= 8),
    row('download, bound N*L/C', bound, share(bound, ours)),
    row('download, bound ceil(N/C)*L', rounds, share(rounds, ours)),
  );

  return stores[0] as DayStore;
}

/** Count every HTTP attempt per command; the deserialize step runs once per attempt. */
function countRequests(s3: S3Client): Counts {
  const counts: Counts = new Map();
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

/** An S3 client with the product's settings, moto's fake credentials and a loopback endpoint. */
function loopbackS3(endpoint: string): S3Client {
  const s3 = new S3Client({
    region: emulatorRegion,
    endpoint,
    forcePathStyle: true,
    credentials: emulatorRootCredentials,
    maxAttempts: 5,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 60_000 }),
  });
  cleanups.push(async () => s3.destroy());

  return s3;
}

/** Throw unless each bucket holds every item: proof that each variant really PUT them all. */
async function expectAllStored(s3: S3Client, endpoint: string, buckets: string[], count: number) {
  for (const bucket of buckets) {
    const held = await createS3Sink(s3, { bucket, region: emulatorRegion, endpoint }).list('');
    if (held.size !== count) throw new Error(`upload: ${bucket} holds ${held.size} of ${count}`);
  }
}

/** The original copy_to_s3: one PutObject at a time, each run into a fresh bucket. */
async function measureSequentialPuts(s3: S3Client, endpoint: string, items: UploadItem[]) {
  const buckets: string[] = [];
  const seconds = await measure(baselineRuns, async (run) => {
    const bucket = `bench-seq-${run}`;
    await createS3Sink(s3, { bucket, region: emulatorRegion, endpoint }).ensureReady();
    buckets.push(bucket);
    return async () => {
      for (const item of items) {
        const body = await readFile(item.path);
        const put = { Bucket: bucket, Key: item.key, Body: body, ContentType: item.contentType };
        await s3.send(new PutObjectCommand(put));
      }
    };
  });

  await expectAllStored(s3, endpoint, buckets, items.length);

  return seconds;
}

/** Our Uploader, each run into a fresh bucket: list it, as runDay does, then put what it lacks. */
async function measureUploader(bench: Bench, s3: S3Client, endpoint: string, items: UploadItem[]) {
  const buckets: string[] = [];
  const seconds = await measure(oursRuns, async (run) => {
    const bucket = `bench-ours-${new URL(endpoint).port}-${run}`;
    const sink = createS3Sink(s3, { bucket, region: emulatorRegion, endpoint });
    await sink.ensureReady();
    buckets.push(bucket);
    const ledger = await UploadLedger.load(join(bench.root, `ledger-${bucket}.json`));
    return async () => {
      const uploader = new Uploader({ sink, existing: await sink.list(''), ledger, concurrency });
      const results = await Promise.all(items.map((item) => uploader.upload(item)));
      const bad = results.filter((result) => result !== 'uploaded');
      if (bad.length > 0) throw new Error(`upload: ${bad.length} objects not uploaded`);
    };
  });

  await expectAllStored(s3, endpoint, buckets, items.length);

  return seconds;
}

async function benchUpload(bench: S3Bench, s3: S3Client, endpoint: string, store: DayStore) {
  const items = await uploadItems(store);
  const sizes = await Promise.all(items.map(async (item) => (await readFile(item.path)).length));
  const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
  const total = sizes.reduce((sum, size) => sum + size, 0);
  bench.notes.push(
    `upload: ${items.length} objects of ${kB(Math.min(...sizes))} to ` +
      `${kB(Math.max(...sizes))}, ${kB(total)} in all`,
  );

  // A fresh bucket per run, so both sides PUT every object; bucket creation is not timed.
  const sequential = await measureSequentialPuts(s3, endpoint, items);
  const ours = await measureUploader(bench, s3, endpoint, items);
  // The same uploads straight to moto: what moto itself can take, with no delay at all.
  const direct = loopbackS3(bench.motoEndpoint);
  const floor = await measureUploader(bench, direct, bench.motoEndpoint, items);

  // Only the added delay is bounded here; moto's own time per PUT comes on top.
  const bound = (items.length * s3DelayMs) / 1000 / concurrency;
  const ratio = sequential / ours;
  bench.rows.push(
    row('upload, sequential PutObject', sequential, '1.0x'),
    row(`upload, ours c=${concurrency}`, ours, times(ratio), '>= 5x', ratio >= 5),
    row('upload, bound N*D/C', bound, share(bound, ours)),
    row(`upload, ours c=${concurrency} without delay`, floor, share(floor, ours)),
  );
}

async function benchRerun(bench: Bench, s3: S3Client, endpoint: string, counts: Counts) {
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
  bench.notes.push(
    `rerun: the first run uploaded ${first.uploaded} (manifest ${first.manifest}); each rerun ` +
      `found ${unchanged} unchanged, made ${downloaded} downloads and ${fetches} source ` +
      `requests; S3 requests per rerun: ${perRun.join(', ') || 'none'}`,
  );
  const pass = seconds < 1 && puts === 0 && fetches === 0;
  bench.rows.push(row('no-op rerun, runDay', seconds, `${puts} PUTs`, '< 1 s, 0 PUTs', pass));
}

async function medianRun(args: readonly string[], cwd: string): Promise<number> {
  const run = promisify(execFile);
  // A bare environment: nothing inherited can point the child at anything.
  const env = { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true' };

  return measure(startupRuns, async () => async () => {
    await run(process.execPath, [...args], { env, cwd });
  });
}

async function benchStartup(bench: Bench) {
  const main = resolve('dist/commands/main.js');
  if (!existsSync(main)) {
    bench.notes.push('start-up: skipped, dist/commands/main.js is missing (npm run build)');
    return;
  }

  const help = await medianRun([main, '--run-today', '--help'], bench.root);
  bench.rows.push(row('start-up, --run-today --help', help, '', '< 0.3 s', help < 0.3));

  // --help exits while parsing, before run-today.js and the AWS SDK load. A dry run loads them
  // and plans the day; with the simulated source and a folder sink it opens no socket.
  const tickers = join(bench.root, 'tickers.txt');
  await writeFile(tickers, `${symbols.join('\n')}\n`);
  const where = ['--local-sink', join(bench.root, 'dry-sink'), '--data-dir', bench.root];
  const flags = ['--dry-run', '--source', 'simulated', '--date', date, '--tickers', tickers];
  const dry = await medianRun([main, '--run-today', ...flags, ...where], bench.root);
  bench.rows.push(row('start-up, --run-today --dry-run', dry));
}

async function benchS3(bench: Bench, store: DayStore) {
  if (!isEmulatorInstalled()) {
    bench.notes.push('upload and rerun: skipped, moto_server is not on PATH');
    return;
  }

  const moto = await startLocalEmulator();
  cleanups.push(() => moto.stop());
  const target = { host: '127.0.0.1', port: moto.port } as const;
  const proxy = await startDelayProxy({ target, delayMs: s3DelayMs });
  cleanups.push(() => proxy.close());
  const s3 = loopbackS3(proxy.url);
  const counts = countRequests(s3);
  const withMoto = { ...bench, motoEndpoint: moto.endpoint };

  await benchUpload(withMoto, s3, proxy.url, store);
  await benchRerun(bench, s3, proxy.url, counts);
}

async function describeTree(): Promise<string> {
  const git = async (args: string[]) => (await promisify(execFile)('git', args)).stdout.trim();
  try {
    const head = await git(['rev-parse', '--short', 'HEAD']);
    const changed = await git(['status', '--porcelain']);
    const dirty = changed === '' ? 'clean' : `${changed.split('\n').length} paths changed`;
    return `tree ${head} (${dirty})`;
  } catch {
    return 'tree unknown (no git)';
  }
}

function formatLoad(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

function printReport(bench: Bench, facts: readonly string[]) {
  const cells = bench.rows.map((each) => [
    each.variant,
    each.seconds.toFixed(3),
    each.ratio,
    each.target,
    each.result,
  ]);
  const header = ['variant', 'seconds', 'ratio', 'target', 'result'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => (cell[column] ?? '').length)),
  );
  const line = (cell: readonly string[]) =>
    `| ${cell.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const failed = bench.rows.filter((each) => each.result === 'FAIL').length;

  const out = [
    ...facts,
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
    '',
    ...bench.notes,
    failed === 0 ? 'all targets met' : `FAIL: ${failed} target(s) missed`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main() {
  const started = performance.now();
  const loadAtStart = formatLoad();
  const root = await mkdtemp(join(tmpdir(), 'tickops-bench-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const server = await startSourceServer({ latencyMs: sourceLatencyMs, date, timeZone });
  cleanups.push(() => server.close());
  // sourceUrl is always given: without it the yahoo source would aim at the live Yahoo.
  const source = createSource({ source: 'yahoo', sourceUrl: server.url, timeoutMs: 20_000 });
  const jobs = symbols.map((ticker) => {
    return { ticker, sourceSymbol: source.toSourceSymbol(ticker, exchange) };
  });
  await server.warm(jobs.map((job) => job.sourceSymbol));
  const bench: Bench = { root, server, source, jobs, rows: [], notes: [] };

  const store = await benchDownload(bench);
  await benchS3(bench, store);
  await benchStartup(bench);

  const cpu = cpus();
  printReport(bench, [
    `date ${new Date().toISOString()}, node ${process.version}, ${platform()} ${release()}`,
    `cpu ${cpu[0]?.model ?? 'unknown'} x ${cpu.length}, ` +
      `memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${await describeTree()}`,
    `load average ${loadAtStart} at start, ${formatLoad()} at end (other work skews timings)`,
    `${symbols.length} tickers, source latency ${sourceLatencyMs} ms, S3 delay ${s3DelayMs} ms, ` +
      `concurrency ${concurrency}; medians of ${oursRuns} (ours), ${baselineRuns} (sequential)` +
      ` and ${startupRuns} (start-up); bench took ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  ]);
}

async function cleanUp() {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
  }
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
