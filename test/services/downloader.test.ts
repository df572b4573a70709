import { describe, expect, it } from 'vitest';
import {
  downloadDay,
  type DownloadEvent,
  type DownloadJob,
} from '../../src/services/downloader.js';
import { MarketDataError } from '../../src/services/errors.js';
import type {
  DayRequest,
  DayResult,
  MarketDataSource,
} from '../../src/services/market-data/types.js';

const okResult = (bars: number): DayResult => ({
  raw: new TextEncoder().encode('{}'),
  rawExtension: 'json',
  bars: Array.from({ length: bars }, (_, index) => ({
    time: index * 60_000,
    open: 1,
    high: 1,
    low: 1,
    close: 1,
    volume: 1,
  })),
  metadata: {
    source: 'fake',
    url: 'fake://',
    currency: 'GBp',
    exchangeTimeZone: undefined,
    warnings: [],
  },
});

type Script = (request: DayRequest, attempt: number) => Promise<DayResult>;

/** A source whose every answer is scripted, counting calls and concurrency. */
function fakeSource(script: Script) {
  const attempts = new Map<string, number>();
  const stats = { inFlight: 0, maxInFlight: 0, calls: 0 };
  const source: MarketDataSource = {
    name: 'fake',
    simulated: false,
    toSourceSymbol: (ticker) => ticker,
    checkDate: () => undefined,
    fetchDay: async (request) => {
      const attempt = (attempts.get(request.ticker) ?? 0) + 1;
      attempts.set(request.ticker, attempt);
      stats.calls += 1;
      stats.inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      try {
        return await script(request, attempt);
      } finally {
        stats.inFlight -= 1;
      }
    },
  };

  return { source, stats, attempts };
}

const jobs = (symbols: readonly string[]): DownloadJob[] =>
  symbols.map((ticker) => ({ ticker, sourceSymbol: ticker }));

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quickBackoff = { baseMs: 1, capMs: 5, maxRetryAfterMs: 5_000 };

function run(
  source: MarketDataSource,
  symbols: readonly string[],
  extra: Partial<Parameters<typeof downloadDay>[1]> = {},
) {
  const events: DownloadEvent[] = [];
  const saved: string[] = [];
  const promise = downloadDay(jobs(symbols), {
    source,
    date: '2024-10-25',
    timeZone: 'Europe/London',
    exchange: 'LON',
    concurrency: 4,
    retries: 3,
    backoff: quickBackoff,
    saveResult: async (job) => {
      saved.push(job.ticker);
    },
    onEvent: (event) => events.push(event),
    ...extra,
  });

  return { promise, events, saved };
}

describe('downloadDay', () => {
  it('never has more requests in flight than the bound', async () => {
    const { source, stats } = fakeSource(async () => {
      await wait(5);
      return okResult(3);
    });

    const { promise, saved } = run(
      source,
      Array.from({ length: 30 }, (_, index) => `T${index}`),
    );
    const outcomes = await promise;

    expect(stats.maxInFlight).toBe(4);
    expect(outcomes.every((outcome) => outcome.status === 'done')).toBe(true);
    expect(saved).toHaveLength(30);
  });

  it('retries a rate-limited ticker after Retry-After and succeeds (case B17, AZN.L)', async () => {
    const { source, attempts } = fakeSource(async (request, attempt) => {
      if (request.ticker === 'AZN.L' && attempt <= 2) {
        throw new MarketDataError('rate-limited', 'HTTP 429 Too Many Requests', {
          retryAfterMs: 20,
        });
      }
      if (request.ticker === 'NOSUCH.L') {
        throw new MarketDataError('no-data', 'no data (symbol may be delisted or wrong)');
      }
      return okResult(5);
    });

    const started = Date.now();
    const { promise, events } = run(source, ['VOD.L', 'NOSUCH.L', 'AZN.L']);
    const outcomes = await promise;

    expect(outcomes.map((outcome) => [outcome.ticker, outcome.status])).toEqual([
      ['VOD.L', 'done'],
      ['NOSUCH.L', 'failed'],
      ['AZN.L', 'done'],
    ]);
    expect(attempts.get('AZN.L')).toBe(3);
    expect(attempts.get('NOSUCH.L')).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(outcomes[1]?.reason).toBe('no data (symbol may be delisted or wrong)');
    const retries = events.filter((event) => event.type === 'retry');
    expect(retries).toHaveLength(2);
    expect(retries.every((event) => event.type === 'retry' && event.delayMs >= 20)).toBe(true);
  });

  it('says "rate limited" when the attempts run out, distinct from no data', async () => {
    const { source, attempts } = fakeSource(async () => {
      throw new MarketDataError('rate-limited', 'HTTP 429', { retryAfterMs: 1 });
    });

    const outcomes = await run(source, ['AZN.L'], { retries: 2 }).promise;

    expect(attempts.get('AZN.L')).toBe(3);
    expect(outcomes[0]).toMatchObject({ status: 'failed', kind: 'rate-limited' });
    expect(outcomes[0]?.reason).toMatch(/^rate limited after 3 attempts/);
  });

  it('does not wait hours when Retry-After is longer than it will honour', async () => {
    const { source, attempts } = fakeSource(async () => {
      throw new MarketDataError('rate-limited', 'HTTP 429', { retryAfterMs: 3_600_000 });
    });

    const outcomes = await run(source, ['AZN.L']).promise;

    expect(attempts.get('AZN.L')).toBe(1);
    expect(outcomes[0]?.reason).toMatch(/source asked to wait 3600s/);
  });

  it('halves the requests in flight when throttled and creeps back after successes', async () => {
    let throttled = 0;
    const { source } = fakeSource(async (request, attempt) => {
      await wait(2);
      if (attempt === 1 && request.ticker.startsWith('T') && Number(request.ticker.slice(1)) < 4) {
        throttled += 1;
        throw new MarketDataError('rate-limited', 'HTTP 429');
      }
      return okResult(1);
    });

    const { promise, events } = run(
      source,
      Array.from({ length: 60 }, (_, index) => `T${index}`),
      {
        concurrency: 8,
      },
    );
    await promise;

    const limits = events.flatMap((event) => (event.type === 'concurrency' ? [event.limit] : []));
    expect(throttled).toBe(4);
    expect(Math.min(...limits)).toBeLessThanOrEqual(4);
    expect(limits.at(-1)).toBe(8);
  });

  it('retries passing failures and gives up with the attempt count', async () => {
    const { source, attempts } = fakeSource(async (request, attempt) => {
      if (request.ticker === 'FLAKY' && attempt === 1)
        throw new MarketDataError('server', 'HTTP 503');
      if (request.ticker === 'DOWN') throw new MarketDataError('network', 'ECONNRESET');
      return okResult(2);
    });

    const outcomes = await run(source, ['FLAKY', 'DOWN'], { retries: 2 }).promise;

    expect(outcomes[0]).toMatchObject({ status: 'done', attempts: 2 });
    expect(outcomes[1]).toMatchObject({
      status: 'failed',
      attempts: 3,
      reason: 'ECONNRESET (gave up after 3 attempts)',
    });
    expect(attempts.get('DOWN')).toBe(3);
  });

  it('reports an empty day as empty, not failed', async () => {
    const { source } = fakeSource(async () => okResult(0));

    const { promise, events } = run(source, ['BARC']);
    const outcomes = await promise;

    expect(outcomes[0]?.status).toBe('empty');
    expect(events.map((event) => event.type)).toEqual([
      'queued',
      'started',
      'concurrency',
      'empty',
    ]);
  });

  it('stops at once when cancelled, saving nothing more and rejecting with the reason', async () => {
    const controller = new AbortController();
    const { source, stats } = fakeSource(async (request) => {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 5_000);
        request.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(request.signal?.reason);
        });
      });
      return okResult(1);
    });

    const { promise, saved } = run(source, ['A', 'B', 'C', 'D', 'E', 'F'], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('operator pressed Ctrl-C')), 20);

    await expect(promise).rejects.toThrow('operator pressed Ctrl-C');
    expect(saved).toEqual([]);
    expect(stats.calls).toBe(4);
  });

  it('stops the whole download when saving fails (the disk is the problem)', async () => {
    const { source } = fakeSource(async () => okResult(1));

    const { promise } = run(source, ['A', 'B', 'C'], {
      saveResult: async () => {
        throw new Error('ENOSPC');
      },
    });

    await expect(promise).rejects.toThrow('ENOSPC');
  });

  it('turns an unexpected parser exception into a failure of that ticker only', async () => {
    const { source } = fakeSource(async (request) => {
      if (request.ticker === 'BAD') throw new TypeError('cannot read properties of undefined');
      return okResult(1);
    });

    const outcomes = await run(source, ['BAD', 'GOOD'], { retries: 0 }).promise;

    expect(outcomes[0]).toMatchObject({ status: 'failed', kind: 'malformed' });
    expect(outcomes[1]?.status).toBe('done');
  });
});
