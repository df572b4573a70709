/** Retry delays: exponential backoff with jitter, or what the server asked for. */

/** Settings of the backoff. */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
  /** A Retry-After longer than this is not waited for: the attempt fails instead. */
  readonly maxRetryAfterMs: number;
  readonly random?: () => number;
}

/** The defaults the downloader uses. */
export const defaultBackoff: BackoffOptions = {
  baseMs: 500,
  capMs: 20_000,
  maxRetryAfterMs: 120_000,
};

/**
 * Delay before retry number `attempt` (1 for the first retry): a random point in the upper half
 * of the exponential window ("equal jitter"), so workers that failed together do not return
 * together, yet none comes back at once. A server's Retry-After is honoured and gets a little
 * jitter on top for the same reason.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions = defaultBackoff,
): number {
  const random = options.random ?? Math.random;
  if (retryAfterMs !== undefined) {
    return retryAfterMs + Math.round(random() * Math.min(1_000, retryAfterMs * 0.2 + 100));
  }

  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** (attempt - 1));

  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Sleep that ends early, with the signal's reason, when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }

    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
