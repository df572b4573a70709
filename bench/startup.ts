/**
 * Start-up of the job: `--run-today --help` (which exits while parsing, before the job and the
 * AWS SDK load) and a dry run (which loads them and plans the day, opening no socket).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { date, startupRuns, tickerSymbols } from './support/day.js';
import { row, type Report } from './support/table.js';
import { measure } from './support/timing.js';

const run = promisify(execFile);

/** The median wall time of `node args...`, with a bare environment. */
async function medianRun(args: readonly string[], cwd: string): Promise<number> {
  // Nothing inherited can point the child at anything.
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };

  return measure(startupRuns, async () => async () => {
    await run(process.execPath, [...args], { env, cwd });
  });
}

/** `main` is the compiled dist/commands/main.js. */
export async function benchStartup(report: Report, root: string, main: string) {
  const help = await medianRun([main, '--run-today', '--help'], root);
  report.rows.push(row('start-up, --run-today --help', help, '', '< 0.3 s', help < 0.3));

  // With the simulated source and a folder sink the dry run opens no socket.
  const tickers = join(root, 'tickers.txt');
  await writeFile(tickers, `${tickerSymbols(100).join('\n')}\n`);
  const where = ['--local-sink', join(root, 'dry-sink'), '--data-dir', root];
  const flags = ['--dry-run', '--source', 'simulated', '--date', date, '--tickers', tickers];
  const dry = await medianRun([main, '--run-today', ...flags, ...where], root);
  report.rows.push(row('start-up, --run-today --dry-run', dry));
}
