/**
 * Downloads one trading day for many tickers: bounded, adaptive concurrency, retries with
 * backoff that honour Retry-After, a per-request timeout (in the source), and cancellation.
 * Progress is reported as typed events, one stream for all tickers, that a progress table or
 * a line printer can render. The downloader knows nothing of files or S3: the caller's
 * `saveResult` runs before a ticker is announced done.
 */
import { setMaxListeners } from 'node:events';
import { AdaptiveLimit } from './adaptive-limit.js';
import { defaultBackoff, retryDelayMs, sleep, type BackoffOptions } from './backoff.js';
import { isAbortError, MarketDataError, type MarketDataFailureKind } from './errors.js';
import { silentLogger, type Logger } from './logger.js';
import type { DayResult, MarketDataSource, TradingDate } from './market-data/types.js';

/** One ticker to fetch. */
export interface DownloadJob {
  readonly ticker: string;
  readonly sourceSymbol: string;
}

/** How a ticker's download ended. */
export type DownloadStatus = 'done' | 'empty' | 'failed';

/** Progress of the downloads, per ticker. */
export type DownloadEvent =
  | { readonly type: 'queued'; readonly ticker: string }
  | { readonly type: 'started'; readonly ticker: string; readonly attempt: number }
  | {
      readonly type: 'retry';
      readonly ticker: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly kind: MarketDataFailureKind;
      readonly reason: string;
    }
  | {
      readonly type: 'done' | 'empty';
      readonly ticker: string;
      readonly bars: number;
      readonly bytes: number;
      readonly durationMs: number;
      readonly attempts: number;
    }
  | {
      readonly type: 'failed';
      readonly ticker: string;
      readonly kind: MarketDataFailureKind;
      readonly reason: string;
      readonly durationMs: number;
      readonly attempts: number;
    }
  | { readonly type: 'concurrency'; readonly limit: number };

/** The end state of one ticker. */
export interface DownloadOutcome {
  readonly ticker: string;
  readonly status: DownloadStatus;
  readonly kind?: MarketDataFailureKind;
  readonly reason?: string;
  readonly attempts: number;
  /** From the first attempt to the end of the last, waits between attempts included. */
  readonly durationMs?: number;
}

/** What downloadDay needs. */
export interface DownloadOptions {
  readonly source: MarketDataSource;
  readonly date: TradingDate;
  readonly timeZone: string;
  readonly exchange: string;
  readonly concurrency: number;
  /** Retries after the first attempt, for retryable failures only. */
  readonly retries: number;
  /** Persist a good result; a throw here stops the whole download (the disk is the problem). */
  readonly saveResult: (job: DownloadJob, result: DayResult) => Promise<void>;
  readonly onEvent?: (event: DownloadEvent) => void;
  readonly signal?: AbortSignal;
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * Fetch every job's day. Resolves with one outcome per job once all are settled; rejects only
 * when cancelled (with the abort reason) or when saveResult throws.
 */
export async function downloadDay(
  jobs: readonly DownloadJob[],
  options: DownloadOptions,
): Promise<DownloadOutcome[]> {
  const emit = options.onEvent ?? (() => undefined);
  const limit = new AdaptiveLimit({ max: options.concurrency, now: options.now });
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  // Each waiting worker and each request in flight listens on this signal.
  setMaxListeners(0, signal);
  const queue = [...jobs];
  const outcomes = new Map<string, DownloadOutcome>();

  for (const job of jobs) emit({ type: 'queued', ticker: job.ticker });

  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const outcome = await downloadOne(job, { ...options, signal, emit, limit });
      outcomes.set(job.ticker, outcome);
    }
  };

  const workers = Array.from({ length: Math.min(options.concurrency, jobs.length) }, () =>
    worker().catch((error: unknown) => {
      stop.abort(error);
      throw error;
    }),
  );
  const settled = await Promise.allSettled(workers);

  options.signal?.throwIfAborted();
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;

  return jobs.map((job) => outcomes.get(job.ticker) as DownloadOutcome);
}

interface AttemptContext extends DownloadOptions {
  readonly signal: AbortSignal;
  readonly emit: (event: DownloadEvent) => void;
  readonly limit: AdaptiveLimit;
}

async function downloadOne(job: DownloadJob, context: AttemptContext): Promise<DownloadOutcome> {
  const now = context.now ?? Date.now;
  const logger = context.logger ?? silentLogger;
  const started = now();

  for (let attempt = 1; ; attempt += 1) {
    await context.limit.acquire(context.signal);
    context.emit({ type: 'started', ticker: job.ticker, attempt });

    let result: DayResult;
    try {
      result = await context.source.fetchDay({
        ticker: job.ticker,
        sourceSymbol: job.sourceSymbol,
        date: context.date,
        timeZone: context.timeZone,
        exchange: context.exchange,
        signal: context.signal,
      });
    } catch (error) {
      context.limit.release();
      if (context.signal.aborted || isAbortError(error)) throw context.signal.reason ?? error;

      const failure = asMarketDataError(error);
      const delayMs = nextDelay(failure, attempt, context);
      if (delayMs === undefined) {
        const durationMs = now() - started;
        const reason = failureReason(failure, attempt);
        context.emit({
          type: 'failed',
          ticker: job.ticker,
          kind: failure.kind,
          reason,
          durationMs,
          attempts: attempt,
        });
        logger.info('ticker failed', { ticker: job.ticker, kind: failure.kind, reason });

        return {
          ticker: job.ticker,
          status: 'failed',
          kind: failure.kind,
          reason,
          attempts: attempt,
          durationMs,
        };
      }

      context.emit({
        type: 'retry',
        ticker: job.ticker,
        attempt,
        delayMs,
        kind: failure.kind,
        reason: failure.message,
      });
      await sleep(delayMs, context.signal);
      continue;
    }

    context.limit.release();
    context.limit.recordSuccess();
    context.emit({ type: 'concurrency', limit: context.limit.current });
    await context.saveResult(job, result);

    const status = result.bars.length === 0 ? 'empty' : 'done';
    context.emit({
      type: status,
      ticker: job.ticker,
      bars: result.bars.length,
      bytes: result.raw.byteLength,
      durationMs: now() - started,
      attempts: attempt,
    });

    return { ticker: job.ticker, status, attempts: attempt };
  }
}

/** How long to wait before the next attempt, or undefined when there is none. */
function nextDelay(failure: MarketDataError, attempt: number, context: AttemptContext) {
  const backoff = context.backoff ?? defaultBackoff;
  if (failure.kind === 'rate-limited') {
    context.limit.recordThrottle(failure.retryAfterMs);
    context.emit({ type: 'concurrency', limit: context.limit.current });
  }

  if (!failure.retryable || attempt > context.retries) return undefined;
  if (failure.retryAfterMs !== undefined && failure.retryAfterMs > backoff.maxRetryAfterMs) {
    return undefined;
  }

  return retryDelayMs(attempt, failure.retryAfterMs, backoff);
}

function failureReason(failure: MarketDataError, attempts: number): string {
  if (!failure.retryable) return failure.message;
  if (failure.kind === 'rate-limited') {
    const wait =
      failure.retryAfterMs === undefined
        ? ''
        : `; source asked to wait ${Math.round(failure.retryAfterMs / 1000)}s`;
    return `rate limited after ${attempts} attempt${attempts === 1 ? '' : 's'}${wait}`;
  }

  return `${failure.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`;
}

// A source is supposed to throw MarketDataError only; anything else is a bug in a parser,
// which should fail that ticker with its message rather than the whole run.
function asMarketDataError(error: unknown): MarketDataError {
  if (error instanceof MarketDataError) return error;

  const message = error instanceof Error ? error.message : String(error);

  return new MarketDataError('malformed', `unexpected response: ${message}`, { cause: error });
}
