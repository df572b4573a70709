/**
 * Concurrency that adapts to the source: additive increase, multiplicative decrease (AIMD),
 * the rule TCP uses for congestion. Each throttle signal halves the number of requests in
 * flight, and a pause asked for by Retry-After holds every worker, since a rate limit applies
 * to the client, not to one request. Each success adds 1/limit, so the limit grows by about one
 * per round of successes and creeps back to the configured maximum.
 */

/** Settings of an adaptive limit. */
export interface AdaptiveLimitOptions {
  readonly max: number;
  readonly min?: number;
  /** Throttle signals closer together than this count once: they are the same burst. */
  readonly decreaseSpacingMs?: number;
  readonly now?: () => number;
}

/** A slot holder's view of the limit. */
export class AdaptiveLimit {
  readonly max: number;
  private readonly min: number;
  private readonly decreaseSpacingMs: number;
  private readonly now: () => number;
  private limit: number;
  private inFlight = 0;
  private pausedUntil = 0;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private waiters: (() => void)[] = [];
  private wakeTimer: NodeJS.Timeout | undefined;

  constructor(options: AdaptiveLimitOptions) {
    this.max = Math.max(1, Math.floor(options.max));
    this.min = Math.max(1, Math.min(this.max, options.min ?? 1));
    this.decreaseSpacingMs = options.decreaseSpacingMs ?? 1_000;
    this.now = options.now ?? Date.now;
    this.limit = this.max;
  }

  /** How many requests may be in flight now. */
  get current(): number {
    return Math.floor(this.limit);
  }

  /** Requests holding a slot. */
  get active(): number {
    return this.inFlight;
  }

  /** Wait for a slot; rejects with the signal's reason when it aborts first. */
  async acquire(signal?: AbortSignal): Promise<void> {
    while (!this.canStart()) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          this.waiters = this.waiters.filter((waiter) => waiter !== wake);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(wake);
        this.scheduleWake();
      });
    }

    this.inFlight += 1;
  }

  /** Give a slot back. */
  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.wakeWaiters();
  }

  /** A request succeeded: grow by 1/limit, up to the maximum. */
  recordSuccess(): void {
    this.limit = Math.min(this.max, this.limit + 1 / this.limit);
    this.wakeWaiters();
  }

  /** The source throttled us: halve once per burst, and pause everyone if it said how long. */
  recordThrottle(retryAfterMs?: number): void {
    const now = this.now();
    if (now - this.lastDecrease >= this.decreaseSpacingMs) {
      this.limit = Math.max(this.min, this.limit / 2);
      this.lastDecrease = now;
    }
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    }
  }

  private canStart(): boolean {
    return this.inFlight < this.current && this.now() >= this.pausedUntil;
  }

  // Wake only as many waiters as may start now, oldest first: waking all of them on every
  // release made a queue of thousands of uploads cost quadratic time.
  private wakeWaiters(): void {
    if (this.now() < this.pausedUntil) return this.scheduleWake();

    const room = Math.max(0, this.current - this.inFlight);
    for (const wake of this.waiters.splice(0, room)) wake();
  }

  // Waiters blocked only by a pause need a timer, since no release may come to wake them.
  private scheduleWake(): void {
    const delay = this.pausedUntil - this.now();
    if (delay <= 0 || this.wakeTimer) return;
    // Not unref'd: when every worker waits out a Retry-After pause, this timer is all that
    // keeps the process alive, and an unref'd one let it exit 0 with the run unfinished.
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeWaiters();
    }, delay);
  }
}
