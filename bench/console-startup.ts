/**
 * Start-up of the console: from spawning `node dist/commands/main.js` in a real terminal (tmux,
 * 160x50) until the first frame shows `no run yet`, and until the header shows the identity that
 * moto's STS returned. A shell that prints the same words at once gives the harness's own share.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalEmulator } from '../src/services/local-emulator.js';
import { startTmux, type TmuxSession } from '../test/support/tmux.js';
import { onCleanup } from './support/cleanup.js';
import { date, startupRuns, tickerSymbols } from './support/day.js';
import { row, type Report } from './support/table.js';
import { median } from './support/timing.js';

const size = { columns: 160, rows: 50 };
const firstFrame = /no run yet/;
const identityShown = /arn:aws:/;
const pollMs = 5;
const timeoutMs = 20_000;

/** Seconds from `started` until the screen matches, polling as fast as capture-pane allows. */
async function secondsUntil(tty: TmuxSession, pattern: RegExp, started: number) {
  const deadline = started + timeoutMs;
  let screen = '';
  while (performance.now() < deadline) {
    screen = await tty.capture();
    if (pattern.test(screen)) return (performance.now() - started) / 1000;
    await sleep(pollMs);
  }

  throw new Error(`console start-up: the screen never matched ${pattern}; last screen:\n${screen}`);
}

/** Start `command` in a fresh tmux, time each pattern in turn, then quit with `quit` keys. */
async function timeSession(
  command: readonly string[],
  env: Record<string, string>,
  patterns: readonly RegExp[],
  quit: readonly string[],
) {
  const started = performance.now();
  const tty = await startTmux(command, env, size);
  // Registered at once, so an error or Ctrl-C below still stops this tmux server.
  let killed = false;
  const kill = async () => {
    if (!killed) await tty.kill();
    killed = true;
  };
  onCleanup(kill);

  const seconds: number[] = [];
  for (const pattern of patterns) seconds.push(await secondsUntil(tty, pattern, started));

  await tty.send(...quit);
  const quitBy = performance.now() + 5_000;
  let status = await tty.exitStatus();
  while (status === undefined && performance.now() < quitBy) {
    await sleep(50);
    status = await tty.exitStatus();
  }
  await kill();

  return { seconds, status };
}

/**
 * startTmux puts each session's socket in os.tmpdir() and tmux leaves the socket file behind when
 * its server ends, so the sessions here get the benchmark's own folder, removed at clean-up.
 */
async function withTmpdir<T>(folder: string, action: () => Promise<T>): Promise<T> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = folder;
  try {
    return await action();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

/** `main` is dist/commands/main.js; the console reaches only `moto` and the loopback source. */
export async function benchConsoleStartup(
  report: Report,
  root: string,
  main: string,
  moto: LocalEmulator,
  sourceUrl: string,
) {
  await withTmpdir(root, () => measureConsoleStartup(report, root, main, moto, sourceUrl));
}

async function measureConsoleStartup(
  report: Report,
  root: string,
  main: string,
  moto: LocalEmulator,
  sourceUrl: string,
) {
  const tickers = join(root, 'console-tickers.txt');
  await writeFile(tickers, `${tickerSymbols(100).join('\n')}\n`);
  const firsts: number[] = [];
  const identities: number[] = [];
  const statuses: (number | undefined)[] = [];

  for (let run = 0; run < startupRuns; run += 1) {
    const env = {
      ...moto.env,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      TICKOPS_BUCKET: 'bench-console',
      TICKOPS_SOURCE_URL: sourceUrl,
      TICKOPS_TICKERS: tickers,
      TICKOPS_DATA_DIR: join(root, `console-${run}`),
      TICKOPS_NOW: `${date}T11:00:00Z`,
    };
    const command = [process.execPath, main];
    const timed = await timeSession(command, env, [firstFrame, identityShown], ['q']);
    firsts.push(timed.seconds[0] ?? Number.NaN);
    identities.push(timed.seconds[1] ?? Number.NaN);
    statuses.push(timed.status);
  }

  const floors: number[] = [];
  for (let run = 0; run < startupRuns; run += 1) {
    const echo = ['sh', '-c', 'echo no run yet; read line'];
    const timed = await timeSession(echo, {}, [firstFrame], ['Enter']);
    floors.push(timed.seconds[0] ?? Number.NaN);
  }

  report.notes.push(
    `console start-up: tmux ${size.columns}x${size.rows}, screen polled every ${pollMs} ms ` +
      `plus a capture-pane; exit status after q: ${statuses.map(String).join(', ')}`,
  );
  report.rows.push(
    row('start-up, console to first frame (tmux)', median(firsts)),
    row('start-up, console until identity shown', median(identities)),
    row('start-up, tmux harness alone (sh echo)', median(floors)),
  );
}
