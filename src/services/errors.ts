/**
 * Operator-facing errors. Every error a command prints is a TickopsError: a message that says
 * what failed on which resource, a hint that says what to do next, and the exit code the
 * process ends with. Anything else reaching the top-level handler is a bug.
 */

/** Process exit codes, as documented in the README. */
export const ExitCode = {
  ok: 0,
  partial: 1,
  usage: 2,
  denied: 3,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

interface TickopsErrorOptions {
  readonly hint?: string;
  readonly cause?: unknown;
}

/** Base of every error that an operator can act on. */
export class TickopsError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue = ExitCode.partial;

  constructor(message: string, options: TickopsErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** A bad flag, environment variable, config key or input file. */
export class ConfigError extends TickopsError {
  override readonly exitCode = ExitCode.usage;
}

/** Missing or rejected AWS credentials, or a permission the run needs. */
export class AccessDeniedError extends TickopsError {
  override readonly exitCode = ExitCode.denied;
}

/** An AWS resource is in a state the run cannot proceed from (bucket owned elsewhere...). */
export class AwsResourceError extends TickopsError {
  override readonly exitCode = ExitCode.partial;
}

/** The run was cancelled by the operator (Ctrl-C, SIGTERM). */
export class InterruptedError extends TickopsError {
  override readonly exitCode = ExitCode.interrupted;
}

/** The local data directory cannot be written. */
export class StorageError extends TickopsError {
  override readonly exitCode = ExitCode.partial;
}

/** Why a market-data request failed, in the terms the downloader decides retries on. */
export type MarketDataFailureKind =
  'no-data' | 'rate-limited' | 'server' | 'network' | 'timeout' | 'malformed' | 'refused';

/** A market-data request failed; `retryable` tells the downloader whether to try again. */
export class MarketDataError extends TickopsError {
  readonly kind: MarketDataFailureKind;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(
    kind: MarketDataFailureKind,
    message: string,
    options: TickopsErrorOptions & { retryAfterMs?: number; status?: number } = {},
  ) {
    super(message, options);
    this.kind = kind;
    this.retryable = ['rate-limited', 'server', 'network', 'timeout', 'malformed'].includes(kind);
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

/** Type guard for errors raised on purpose by tickops. */
export function isTickopsError(error: unknown): error is TickopsError {
  return error instanceof TickopsError;
}

/** Is this the error an AbortSignal raises? */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
