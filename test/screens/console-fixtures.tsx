/**
 * Fake console services for screen tests. The run is real: runDay over the simulated source
 * (some tickers made to fail) into a folder sink, so the screens see genuine event sequences.
 * The bucket is an in-memory store with S3's delimiter semantics and an optional denied read.
 */
import type { Ec2Status } from '../../src/services/ec2/status.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll } from 'vitest';
import type { ReactElement } from 'react';
import { loadConfig, type Config } from '../../src/services/config.js';
import { buildCoverage } from '../../src/services/coverage.js';
import { DayStore } from '../../src/services/day-store.js';
import { AccessDeniedError, MarketDataError } from '../../src/services/errors.js';
import type { Manifest } from '../../src/services/manifest.js';
import { createSimulatedSource } from '../../src/services/market-data/simulated.js';
import { createFolderSink } from '../../src/services/object-sink.js';
import { RunController } from '../../src/services/run-controller.js';
import { runDay } from '../../src/services/run-day.js';
import { parseTickerList } from '../../src/services/tickers.js';
import type {
  BucketService,
  ConsoleServices,
  IamService,
} from '../../src/screens/console-services.js';
import { fakeIamService } from './iam-fake-service.js';
import { emptyAccount } from './iam-fixtures.js';

/** 2024-10-25 12:00 London: a Friday, market open. */
export const fixedNow = Date.parse('2024-10-25T11:00:00Z');

const testFolders: string[] = [];
// Registered by every test file that imports the fixtures: its folders go when the file ends.
afterAll(() => {
  for (const folder of testFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A temporary folder removed when the test file ends. */
export function testFolder(prefix = 'tickops-screens-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  testFolders.push(folder);

  return folder;
}

/** A config with defaults and a temporary data directory. */
export function testConfig(): Config {
  const folder = testFolder();

  return loadConfig({
    env: {},
    flags: { dataDirectory: join(folder, 'data'), source: 'simulated' },
    readFile: () => {
      throw Object.assign(new Error('none'), { code: 'ENOENT' });
    },
  });
}

/**
 * A controller whose runs are real runDay calls; `failing` tickers fail with "no data", and
 * `hanging` ones are fetched until the run is cancelled, so a test can look at a run under way.
 */
export function realRunController(
  config: Config,
  symbols: readonly string[],
  failing: readonly string[] = [],
  hanging: readonly string[] = [],
) {
  const simulated = createSimulatedSource();
  const fails = new Set(failing);
  const hangs = new Set(hanging);
  const source = {
    ...simulated,
    fetchDay: async (request: Parameters<typeof simulated.fetchDay>[0]) => {
      if (fails.has(request.ticker)) {
        throw new MarketDataError('no-data', 'no data (symbol may be delisted or wrong)');
      }
      if (hangs.has(request.ticker)) await untilAborted(request.signal);
      return simulated.fetchDay(request);
    },
  };
  const tickers = parseTickerList(symbols.join('\n'), 'screen-test.txt').tickers;

  return new RunController({
    maxNotifyPerSecond: 50,
    launch: (request, onEvent, signal) =>
      runDay({
        ...request,
        // After the close, so what a test run stores is the whole day, not provisional.
        now: () => Date.parse('2024-10-25T17:00:00Z'),
        tickers,
        source,
        exchange: 'LON',
        timeZone: 'Europe/London',
        layout: config.layout,
        store: new DayStore(config.dataDirectory, request.date),
        sink: createFolderSink(join(config.dataDirectory, 'bucket'), config.bucket),
        concurrency: 4,
        uploadConcurrency: 4,
        retries: 0,
        signal,
        onEvent,
      }),
  });
}

function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** An in-memory bucket; reads of `denied` keys fail as the s3_upload policy makes them fail. */
export function memoryBucket(objects: Record<string, string>, denied: readonly string[] = []) {
  const downloads: string[] = [];
  const service: BucketService = {
    list: async (prefix) => {
      const folders = new Set<string>();
      const found = [];
      for (const [key, body] of Object.entries(objects).sort()) {
        if (!key.startsWith(prefix)) continue;
        const rest = key.slice(prefix.length);
        const slash = rest.indexOf('/');
        if (slash >= 0) folders.add(prefix + rest.slice(0, slash + 1));
        else
          found.push({ key, size: body.length, etag: undefined, lastModified: new Date(fixedNow) });
      }
      return { prefix, folders: [...folders], objects: found, truncated: false };
    },
    read: async (key) => {
      if (denied.includes(key)) {
        throw new AccessDeniedError(`access denied: s3:GetObject on s3://ftse100/${key}`, {
          hint: 'run with credentials that allow s3:GetObject (the s3_upload policy only writes)',
        });
      }
      return new TextEncoder().encode(objects[key] ?? '');
    },
    download: async (key) => {
      downloads.push(key);
      return `/data/downloads/${key}`;
    },
  };

  return { service, downloads };
}

/** Services around a config, a run controller, a bucket and the manifests coverage reads. */
export function fakeServices(
  config: Config,
  run: RunController,
  bucket: BucketService = memoryBucket({}).service,
  manifests: ReadonlyMap<string, Manifest | undefined> = new Map(),
  tickers: readonly string[] = [],
  iam: IamService = fakeIamService(emptyAccount(), {
    layout: config.layout,
    folder: config.dataDirectory,
  }),
): ConsoleServices {
  return {
    config,
    now: () => fixedNow,
    identity: async () => ({
      kind: 'known',
      account: '111122223333',
      arn: 'arn:aws:iam::111122223333:user/ops',
    }),
    run,
    // Follows nothing; the cloud run's tests pass a service that emits real looks.
    cloud: { intervalMs: 5000, follow: () => () => undefined },
    bucket,
    coverage: async () => buildCoverage(tickers, manifests, 510),
    iam,
    ec2: {
      status: async (): Promise<Ec2Status> => ({
        region: 'eu-west-1',
        bucket: config.bucket,
        machines: [],
        lastUpload: { state: 'none' },
        nextRuns: [],
      }),
      change: async () => {
        throw new Error('no machine in this test');
      },
      prepareLaunch: async () => {
        throw new Error('no launch in this test');
      },
    },
  };
}

/** Render at a terminal size; Ink reads columns and rows from stdout and hears `resize`. */
export function renderSized(tree: ReactElement, columns: number, rows: number) {
  const result = render(tree);
  resize(result.stdout, columns, rows);

  return result;
}

/** Change the fake terminal's size and tell Ink. */
export function resize(stdout: NodeJS.EventEmitter, columns: number, rows: number): void {
  Object.defineProperty(stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(stdout, 'rows', { value: rows, configurable: true });
  stdout.emit('resize');
}

/** Keys as a terminal sends them. */
export const keys = {
  enter: '\r',
  escape: '\u001b',
  tab: '\t',
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  backspace: '\u007f',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
  home: '\u001b[H',
  end: '\u001b[F',
  shiftTab: '\u001b[Z',
} as const;
