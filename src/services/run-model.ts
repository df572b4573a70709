/**
 * The live picture of a run, folded from its events: one row per ticker and the totals a
 * progress bar needs. The model is mutable for speed (a 500-ticker run sends thousands of
 * events) and hands out immutable snapshots, which the console takes at most ten times a second.
 */
import type { RunEvent, RunSummary } from './run-day.js';
import type { TradingDate } from './market-data/types.js';

/** What the Run screen says a ticker is doing. */
export type TickerRowStatus =
  | 'queued'
  | 'downloading'
  | 'retry'
  | 'uploading'
  | 'done'
  | 'empty'
  | 'stored'
  | 'failed'
  /** Under way when the run was cancelled; the next run takes it up. */
  | 'cancelled'
  /** Still queued when the run stopped; the next run takes it up. */
  | 'not started';

/** One ticker's row. */
export interface TickerRow {
  readonly ticker: string;
  readonly status: TickerRowStatus;
  readonly attempt: number;
  readonly bars: number;
  readonly bytes: number;
  readonly durationMs: number | undefined;
  readonly reason: string | undefined;
  /** Stored (or given up on) by an earlier run: nothing was fetched for it in this one. */
  readonly fromEarlierRun: boolean;
}

/** The whole run at one moment. */
export interface RunSnapshot {
  readonly phase: 'idle' | 'starting' | 'running' | 'finished' | 'cancelled' | 'failed';
  readonly date: TradingDate | undefined;
  readonly source: string | undefined;
  readonly sink: string | undefined;
  readonly simulated: boolean;
  readonly rows: readonly TickerRow[];
  readonly finished: number;
  readonly failed: number;
  readonly bytes: number;
  readonly startedAt: number | undefined;
  readonly endedAt: number | undefined;
  readonly summary: RunSummary | undefined;
  /** Set when the run stopped on an error: the one-line message and what to do. */
  readonly error: { readonly message: string; readonly hint: string | undefined } | undefined;
}

const finalStatuses = new Set<TickerRowStatus>(['done', 'empty', 'stored', 'failed']);
const inFlight = new Set<TickerRowStatus>(['downloading', 'retry', 'uploading']);

/** An empty picture: no run yet. */
export const idleSnapshot: RunSnapshot = {
  phase: 'idle',
  date: undefined,
  source: undefined,
  sink: undefined,
  simulated: false,
  rows: [],
  finished: 0,
  failed: 0,
  bytes: 0,
  startedAt: undefined,
  endedAt: undefined,
  summary: undefined,
  error: undefined,
};

type MutableRow = { -readonly [K in keyof TickerRow]: TickerRow[K] };

/** Folds events into rows; `snapshot()` copies only when something changed. */
export class RunModel {
  private readonly rows = new Map<string, MutableRow>();
  private meta: Omit<RunSnapshot, 'rows' | 'finished' | 'failed' | 'bytes'> = idleSnapshot;
  private bytes = 0;
  private dirty = true;
  private last: RunSnapshot = idleSnapshot;

  constructor(private readonly now: () => number = Date.now) {}

  /** Begin a new run of a date; the previous picture is dropped. */
  begin(date: TradingDate): void {
    this.rows.clear();
    this.bytes = 0;
    this.meta = { ...idleSnapshot, phase: 'starting', date, startedAt: this.now() };
    this.dirty = true;
  }

  /** Apply one event of the run. */
  apply(event: RunEvent): void {
    this.dirty = true;
    switch (event.type) {
      case 'run-started':
        this.meta = {
          ...this.meta,
          phase: 'running',
          source: event.source,
          sink: event.sink,
          simulated: event.simulated,
        };
        return;
      case 'planned':
        Object.assign(this.row(event.ticker), {
          status: event.action === 'download' ? 'queued' : 'stored',
          fromEarlierRun: event.action !== 'download',
        });
        return;
      case 'started':
        Object.assign(this.row(event.ticker), { status: 'downloading', attempt: event.attempt });
        return;
      case 'retry':
        Object.assign(this.row(event.ticker), {
          status: 'retry',
          attempt: event.attempt + 1,
          reason: event.reason,
        });
        return;
      case 'done':
      case 'empty':
        Object.assign(this.row(event.ticker), {
          status: 'uploading',
          bars: event.bars,
          bytes: event.bytes,
          reason: undefined,
        });
        this.bytes += event.bytes;
        return;
      case 'failed':
        // Shown at once: the run's own outcome for the ticker comes only after every download.
        Object.assign(this.row(event.ticker), {
          status: 'failed',
          attempt: event.attempts,
          durationMs: event.durationMs,
          reason: event.reason,
        });
        return;
      case 'ticker-finished':
        this.finishRow(event);
        return;
      case 'run-finished':
        this.meta = {
          ...this.meta,
          phase: 'finished',
          summary: event.summary,
          endedAt: this.now(),
        };
        return;
      default:
        this.dirty = false;
    }
  }

  /** The run stopped on an error (or was cancelled). */
  stop(phase: 'cancelled' | 'failed', error?: { message: string; hint: string | undefined }): void {
    this.meta = { ...this.meta, phase, error, endedAt: this.now() };
    for (const row of this.rows.values()) {
      if (inFlight.has(row.status)) {
        Object.assign(row, {
          status: 'cancelled',
          reason: `stopped before it finished (${row.status}); the next run takes it up`,
        });
      }
      // "queued" after the run has stopped read as if it would still be fetched.
      if (row.status === 'queued') {
        Object.assign(row, {
          status: 'not started',
          reason: 'the run stopped before it started; the next run takes it up',
        });
      }
    }
    this.dirty = true;
  }

  /** The current picture; the same object until something changes. */
  snapshot(): RunSnapshot {
    if (!this.dirty) return this.last;

    const rows = [...this.rows.values()].map((row) => ({ ...row }));
    this.last = {
      ...this.meta,
      rows,
      finished: rows.filter((row) => finalStatuses.has(row.status)).length,
      failed: rows.filter((row) => row.status === 'failed').length,
      bytes: this.bytes,
    };
    this.dirty = false;

    return this.last;
  }

  private finishRow(event: Extract<RunEvent, { type: 'ticker-finished' }>): void {
    const { outcome } = event;
    // A failure learned by an earlier run is still a failure of the day, as `--run-today`
    // prints and counts it ("(earlier run)", exit 1); the reason says why it was not fetched.
    const failed = outcome.status === 'failed';
    const status = failed ? 'failed' : outcome.fromEarlierRun ? 'stored' : outcome.status;
    const asked = outcome.permanent ? '; not asked again today, r retries' : '';
    const reason =
      failed && outcome.fromEarlierRun
        ? `${outcome.reason ?? 'failed'} (earlier run${asked})`
        : outcome.reason;
    Object.assign(this.row(outcome.ticker), {
      status,
      bars: outcome.bars,
      bytes: outcome.bytes,
      durationMs: outcome.durationMs,
      reason,
      fromEarlierRun: outcome.fromEarlierRun,
    });
  }

  private row(ticker: string): MutableRow {
    let row = this.rows.get(ticker);
    if (!row) {
      row = {
        ticker,
        status: 'queued',
        attempt: 0,
        bars: 0,
        bytes: 0,
        durationMs: undefined,
        reason: undefined,
        fromEarlierRun: false,
      };
      this.rows.set(ticker, row);
    }

    return row;
  }
}
