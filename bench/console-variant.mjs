// One measured variant of the console benchmark (see console.bench.mjs), run in a process of
// its own on the compiled modules in dist/, so its memory is the shipped console's and nothing
// else's. Prints one JSON line.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { prepareConsoleRuntime } from '../dist/commands/console-runtime.js';
import { loadConfig } from '../dist/services/config.js';
import { DayStore } from '../dist/services/day-store.js';
import { createSimulatedSource } from '../dist/services/market-data/simulated.js';
import { createFolderSink } from '../dist/services/object-sink.js';
import { RunController } from '../dist/services/run-controller.js';
import { runDay } from '../dist/services/run-day.js';
import { parseTickerList } from '../dist/services/tickers.js';
// The console's real wiring module: it loads the S3 and STS clients as the console does.
import '../dist/commands/console-wiring.js';

const [, , variant, tickerCount, latencyMs] = process.argv;
// 'default-runtime' is the shipped screen in a process left as Node starts it (React's
// development build, V8's default heap growth), to show what the console's preparation buys.
const throttled = variant === 'throttled' || variant === 'default-runtime';
// The same run with no screen at all: what the job itself costs, to tell the screen's share.
const headless = variant === 'headless';

class Terminal extends Writable {
  isTTY = true;
  columns = 160;
  rows = 50;
  _write(_chunk, _encoding, done) {
    done();
  }
}

class Keyboard extends EventEmitter {
  isTTY = true;
  setRawMode() {}
  setEncoding() {}
  read() {
    return null;
  }
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

// The console prepares its process as it opens (src/commands/console-runtime.ts), before Ink
// and React load; so does each variant, except the one that shows what that buys.
if (variant !== 'default-runtime') prepareConsoleRuntime();
const [{ render }, { createElement }, { App }] = await Promise.all([
  import('ink'),
  import('react'),
  import('../dist/screens/App.js'),
]);

const folder = mkdtempSync(join(tmpdir(), 'tickops-console-bench-'));
const config = loadConfig({ env: {}, flags: { dataDirectory: folder }, readFile: () => '{}' });
const symbols = Array.from({ length: Number(tickerCount) }, (_, index) => `T${String(index).padStart(3, '0')}`);
const tickers = parseTickerList(symbols.join('\n'), 'bench').tickers;
const simulated = createSimulatedSource();
// The simulated source answers at once; a real one takes a while, which sets the run's pace.
const source = {
  ...simulated,
  fetchDay: async (request) => {
    await new Promise((resolve) => setTimeout(resolve, Number(latencyMs)));
    return simulated.fetchDay(request);
  },
};

const run = new RunController({
  maxNotifyPerSecond: throttled ? 10 : 100_000,
  launch: (request, onEvent, signal) =>
    runDay({
      ...request,
      tickers,
      source,
      exchange: 'LON',
      timeZone: 'Europe/London',
      layout: config.layout,
      store: new DayStore(folder, request.date),
      sink: createFolderSink(join(folder, 'bucket'), 'bench'),
      concurrency: 8,
      uploadConcurrency: 16,
      retries: 0,
      signal,
      onEvent,
    }),
});
const services = {
  config,
  now: Date.now,
  identity: async () => ({ kind: 'none', reason: 'bench' }),
  run,
  cloud: { intervalMs: 5000, follow: () => () => undefined },
  bucket: { list: async () => ({ prefix: '', folders: [], objects: [], truncated: false }),
    read: async () => new Uint8Array(), download: async () => '' },
  coverage: async () => ({ dates: [], tickers: [], cells: new Map() }),
};

let renders = 0;
const app = headless ? { unmount: () => undefined } : render(createElement(App, { services, noColor: true }), {
  stdout: new Terminal(),
  stdin: new Keyboard(),
  exitOnCtrlC: false,
  patchConsole: false,
  maxFps: throttled ? 10 : 1000,
  onRender: () => {
    renders += 1;
  },
});

let peakRss = process.memoryUsage().rss;
const idleRss = peakRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 25);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const rendersBefore = renders;

await run.start({ date: '2024-10-25', force: false });

const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
app.unmount();
rmSync(folder, { recursive: true, force: true });

process.stdout.write(
  `${JSON.stringify({
    seconds,
    frames: renders - rendersBefore,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100,
    idleRssMb: idleRss / 2 ** 20,
    peakRssMb: peakRss / 2 ** 20,
    finished: run.getSnapshot().finished,
  })}\n`,
);
process.exit(0);
