/**
 * `tickops` with no arguments: the interactive console. Without a terminal on stdin and stdout
 * (a pipe, cron, a container without -t) keyboard input is impossible, so it says what to use
 * instead and exits 2 rather than crashing on raw mode. Ink and React are loaded only here.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createJsonLogger } from '../services/logger.js';
import { parseDateOption, wantsNoColor, type CliOptions } from './cli-options.js';
import { loadCommandContext } from './command-context.js';
import { prepareConsoleRuntime } from './console-runtime.js';
import { createConsoleServices } from './console-wiring.js';
import { prepareRuns } from './run-setup.js';

// The alternate screen keeps the operator's scrollback intact and gives a clean page to draw.
const enterAlternateScreen = '\u001b[?1049h\u001b[H';
const leaveAlternateScreen = '\u001b[?1049l';
// "Erase saved lines": the terminal's scrollback, which belongs to the operator's shell.
const eraseScrollback = '\u001b[3J';

/** Open the console, or explain why it cannot open here; resolves with the exit code. */
export async function openConsole(options: CliOptions, env = process.env): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write(
      'tickops: the console needs a terminal; for the scheduled job use tickops --run-today\n',
    );
    return 2;
  }

  prepareConsoleRuntime();
  const { config } = loadCommandContext(options, env);
  // Logs must never land in the frame Ink draws: they go to a file in the data directory.
  await mkdir(config.dataDirectory, { recursive: true });
  const logFile = createWriteStream(join(config.dataDirectory, 'console.log'), { flags: 'a' });
  const logger = createJsonLogger(
    (line) => logFile.write(line),
    config.logLevel === 'warn' ? 'info' : config.logLevel,
  );
  const setup = await prepareRuns(config, logger, {
    localSink: typeof options.localSink === 'string' ? options.localSink : undefined,
  });
  const given = typeof options.date === 'string' ? parseDateOption(options.date) : undefined;
  const services = { ...createConsoleServices(setup), startDate: given };

  const [{ render }, { createElement }, { App }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../screens/App.js'),
  ]);

  const keepingScrollback = keepScrollback(process.stdout);
  const restore = () => process.stdout.write(leaveAlternateScreen);
  process.stdout.write(enterAlternateScreen);
  process.once('exit', restore);
  try {
    const app = render(createElement(App, { services, noColor: wantsNoColor(options, env) }), {
      exitOnCtrlC: false,
      maxFps: 10,
    });
    await app.waitUntilExit();
  } finally {
    process.off('exit', restore);
    restore();
    keepingScrollback.stop();
    logFile.end();
  }

  return 0;
}

/**
 * Ink clears the whole terminal when a frame no longer fits (a resize to fewer rows), and its
 * clear includes erasing the scrollback: the operator's shell history above the console would
 * be gone after quitting. The alternate screen has no scrollback of its own, so dropping that
 * one sequence changes nothing on screen.
 */
function keepScrollback(stream: NodeJS.WriteStream): { stop(): void } {
  const write = stream.write;
  const filtered = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const text = typeof chunk === 'string' ? chunk.replaceAll(eraseScrollback, '') : chunk;
    return (write as (...args: unknown[]) => boolean).call(this, text, ...rest);
  };
  stream.write = filtered as NodeJS.WriteStream['write'];

  return {
    stop: () => {
      stream.write = write;
    },
  };
}
