// The Run screen under a 500-ticker run: redraws a second, CPU and RSS of the console process,
// with the shipped throttle (10 redraws a second) against the same run drawn on every event,
// measured in one invocation. Each variant is a real runDay over the simulated source (paced by
// a per-request latency) into a local folder, rendered by the real App into a 160x50 terminal
// that discards output; each runs in a process of its own on the compiled dist/.
//
// Run: npm run build && node bench/console.bench.mjs [tickers=500] [latencyMs=200]
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const tickers = process.argv[2] ?? '500';
const latency = process.argv[3] ?? '200';
// Other work on the machine skews CPU and time, so the load is printed with the results.
const load = () => loadavg().map((each) => each.toFixed(2)).join(' ');
const loadAtStart = load();
const variantScript = fileURLToPath(new URL('./console-variant.mjs', import.meta.url));

const measure = (variant) =>
  JSON.parse(
    execFileSync(process.execPath, [variantScript, variant, tickers, latency], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1),
  );

const headless = measure('headless');
const baseline = measure('every-event');
const defaultRuntime = measure('default-runtime');
const ours = measure('throttled');

const row = (label, m, extra) =>
  `| ${label.padEnd(30)} | ${m.seconds.toFixed(1).padStart(5)} | ${String(m.frames).padStart(6)} | ` +
  `${(m.frames / m.seconds).toFixed(1).padStart(9)} | ${m.cpuPercent.toFixed(0).padStart(4)}% | ` +
  `${m.idleRssMb.toFixed(0).padStart(8)} | ${m.peakRssMb.toFixed(0).padStart(8)} | ${extra} |`;
const screenCpu = (m) => Math.max(m.cpuPercent - headless.cpuPercent, 0.1);
const cpuRatio = screenCpu(baseline) / screenCpu(ours);
const pass = ours.peakRssMb < 150 && ours.cpuPercent < 50 && ours.frames / ours.seconds <= 10.5;

process.stdout.write(
  `date ${new Date().toISOString()}, node ${process.version}, ${cpus()[0]?.model ?? '?'} x ${cpus().length}, ` +
    `memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB\n` +
    `load average ${loadAtStart} at start, ${load()} at end\n` +
    `Run screen: ${tickers} tickers, ${latency} ms per source request, 8 at a time, 160x50\n` +
    '| variant                        |     s | frames | redraws/s |  CPU | idle RSS | peak RSS | notes |\n' +
    '| --- | --: | --: | --: | --: | --: | --: | --- |\n' +
    `${row('no screen (the job alone)', headless, 'what the run itself costs')}\n` +
    `${row('drawn on every event', baseline, `baseline; screen's share ${screenCpu(baseline).toFixed(0)}% CPU`)}\n` +
    `${row('10 redraws/s, Node defaults', defaultRuntime, `React dev build, V8 default heap growth; ${(defaultRuntime.peakRssMb / ours.peakRssMb).toFixed(2)}x the shipped peak RSS`)}\n` +
    `${row('as shipped (10 redraws/s)', ours, `screen's share ${screenCpu(ours).toFixed(0)}% CPU, ${cpuRatio.toFixed(1)}x less than baseline; target <150 MB, <50% of a core, <=10/s: ${pass ? 'PASS' : 'FAIL'}`)}\n`,
);
