/** The one top-level error handler: message and hint for operator errors, never a stack. */
import { ExitCode, isTickopsError } from '../services/errors.js';

/** Print an error as one line (plus a hint line) and return the exit code it means. */
export function reportFailure(
  error: unknown,
  stderr: { write(text: string): unknown },
  verbose = false,
): number {
  if (isTickopsError(error)) {
    stderr.write(`tickops: ${error.message}\n`);
    if (error.hint) stderr.write(`  next: ${error.hint}\n`);
    if (verbose && error.cause) stderr.write(`  cause: ${describeCause(error.cause)}\n`);
    return error.exitCode;
  }

  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`tickops: unexpected failure: ${message}\n`);
  stderr.write('  next: this is a bug in tickops; rerun with --log-level debug and report it\n');
  if (verbose && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);

  return ExitCode.partial;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;

  return String(cause);
}
