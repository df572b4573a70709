/** The exit code a command's action leaves behind, for the entry point to return. */
import { reportFailure } from './report-failure.js';

let exitCode = 0;

/** Run a command module's entry and keep its exit code; failures go to the one handler. */
export async function settle(run: () => Promise<number>): Promise<void> {
  try {
    exitCode = await run();
  } catch (error) {
    exitCode = reportFailure(error, process.stderr);
  }
}

/** The exit code of the command that ran. */
export function settledExitCode(): number {
  return exitCode;
}
