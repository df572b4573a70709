/**
 * Owns the console's run: starts it, keeps its picture while the operator moves between
 * screens (coming back attaches to it), retries failed tickers, cancels. Listeners are told
 * of changes at most `maxNotifyPerSecond` times a second, however fast events arrive.
 */
import { InterruptedError, isTickopsError } from './errors.js';
import type { RunEvent, RunSummary } from './run-day.js';
import { RunModel, type RunSnapshot } from './run-model.js';
import type { TradingDate } from './market-data/types.js';

/** What the controller asks for when it starts a run. */
export interface RunRequest {
  readonly date: TradingDate;
  readonly force: boolean;
  readonly retry?: readonly string[];
}

/** Starts the real job (runDay over the configured source and bucket). */
export type RunLauncher = (
  request: RunRequest,
  onEvent: (event: RunEvent) => void,
  signal: AbortSignal,
) => Promise<RunSummary>;

/** Settings of a controller. */
export interface RunControllerOptions {
  readonly launch: RunLauncher;
  readonly maxNotifyPerSecond?: number;
  readonly now?: () => number;
}

/** The console's single run. */
export class RunController {
  private readonly model: RunModel;
  private readonly listeners = new Set<() => void>();
  private readonly minGapMs: number;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastNotify = 0;

  constructor(private readonly options: RunControllerOptions) {
    this.model = new RunModel(options.now);
    this.minGapMs = 1000 / (options.maxNotifyPerSecond ?? 10);
  }

  /**
   * The clock the run's start and end are stamped with. Rates must use it too: the console's
   * own clock can be set to a fixed instant (TICKOPS_NOW) to choose the trading day.
   */
  now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Is a run under way? */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** The latest picture (stable between changes, as useSyncExternalStore needs). */
  readonly getSnapshot = (): RunSnapshot => this.model.snapshot();

  /** Be told when the picture changes; returns the unsubscribe function. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Start a run, unless one is under way (then the caller is attached to it). */
  start(request: RunRequest): Promise<void> {
    if (this.running) return this.running;

    const abort = new AbortController();
    this.abort = abort;
    this.model.begin(request.date);
    this.notifyNow();

    this.running = this.options
      .launch(request, (event) => this.onEvent(event), abort.signal)
      .then(
        () => undefined,
        (error: unknown) => {
          if (abort.signal.aborted || error instanceof InterruptedError) {
            this.model.stop('cancelled');
            return;
          }
          const message = error instanceof Error ? error.message : String(error);
          this.model.stop('failed', {
            message,
            hint: isTickopsError(error) ? error.hint : undefined,
          });
        },
      )
      .finally(() => {
        this.running = undefined;
        this.abort = undefined;
        this.notifyNow();
      });

    return this.running;
  }

  /** Run the same date again, fetching the failed tickers whatever was learned of them. */
  retryFailed(): Promise<void> | undefined {
    const snapshot = this.model.snapshot();
    const failed = snapshot.rows.filter((row) => row.status === 'failed');
    if (this.running || !snapshot.date || failed.length === 0) return undefined;

    return this.start({
      date: snapshot.date,
      force: false,
      retry: failed.map((row) => row.ticker),
    });
  }

  /** Stop the run in progress; finished tickers are kept. */
  cancel(): void {
    this.abort?.abort(new InterruptedError('cancelled from the console'));
  }

  /** Wait for the run in progress, if any. */
  async settled(): Promise<void> {
    await this.running;
  }

  private onEvent(event: RunEvent): void {
    this.model.apply(event);
    this.scheduleNotify();
  }

  // Leading call at once, then at most one per gap: a burst of events is one redraw.
  private scheduleNotify(): void {
    if (this.timer) return;

    const wait = this.lastNotify + this.minGapMs - this.now();
    if (wait <= 0) {
      this.notifyNow();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.notifyNow();
    }, wait);
  }

  private notifyNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.lastNotify = this.now();
    for (const listener of this.listeners) listener();
  }
}
