/** The benchmark's market-data source: the test suite's loopback Yahoo server, pre-built. */
import type { DownloadJob } from '../../src/services/downloader.js';
import { createSource } from '../../src/services/market-data/index.js';
import type { MarketDataSource } from '../../src/services/market-data/types.js';
import { startSourceServer, type SourceServer } from '../../test/support/source-server.js';
import { onCleanup } from './cleanup.js';
import { date, exchange, tickerSymbols, timeZone } from './day.js';

/** A running source with a fixed latency and the jobs it serves. */
export interface BenchSource {
  readonly latencyMs: number;
  readonly server: SourceServer;
  readonly source: MarketDataSource;
  readonly jobs: readonly DownloadJob[];
}

/**
 * Start a source answering every request after `latencyMs`, with `count` tickers' bodies built
 * before any timing starts. It has no rate limit: every request in flight is answered.
 */
export async function startBenchSource(latencyMs: number, count: number): Promise<BenchSource> {
  const server = await startSourceServer({ latencyMs, date, timeZone });
  onCleanup(() => server.close());
  // sourceUrl is always given: without it the yahoo source would aim at the live Yahoo.
  const source = createSource({ source: 'yahoo', sourceUrl: server.url, timeoutMs: 20_000 });
  const jobs = tickerSymbols(count).map((ticker) => {
    return { ticker, sourceSymbol: source.toSourceSymbol(ticker, exchange) };
  });
  await server.warm(jobs.map((job) => job.sourceSymbol));

  return { latencyMs, server, source, jobs };
}
