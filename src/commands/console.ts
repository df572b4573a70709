/**
 * `tickops` with no arguments: the interactive console. Without a terminal on stdin (a pipe,
 * cron, a container without -t) raw-mode keyboard input is impossible, so it says what to use
 * instead and exits 2 rather than crashing.
 */
import type { CliOptions } from './cli-options.js';

/** Open the console, or explain why it cannot open here. */
export async function openConsole(_options: CliOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write(
      'tickops: the console needs a terminal; for the scheduled job use tickops --run-today\n',
    );
    return 2;
  }

  process.stderr.write(
    'tickops: the interactive console is not part of this version; use tickops --run-today\n',
  );

  return 2;
}
