/** Picks and configures the market-data source a run uses. */
import { ConfigError } from '../errors.js';
import { createGoogleSource } from './google.js';
import { createReplaySource } from './replay.js';
import { createSimulatedSource } from './simulated.js';
import type { MarketDataSource } from './types.js';
import { createYahooSource } from './yahoo.js';

/** Where the live sources are when no source URL is configured (real operator runs only). */
export const defaultSourceUrls = {
  yahoo: 'https://query1.finance.yahoo.com',
  google: 'https://www.google.com',
} as const;

/** The settings createSource reads. */
export interface SourceConfig {
  readonly source: 'yahoo' | 'google' | 'replay' | 'simulated';
  readonly sourceUrl?: string;
  readonly replayDirectory?: string;
  readonly timeoutMs: number;
}

/** The configured source. */
export function createSource(config: SourceConfig): MarketDataSource {
  switch (config.source) {
    case 'yahoo':
      return createYahooSource({
        baseUrl: config.sourceUrl ?? defaultSourceUrls.yahoo,
        timeoutMs: config.timeoutMs,
      });
    case 'google':
      return createGoogleSource({
        baseUrl: config.sourceUrl ?? defaultSourceUrls.google,
        timeoutMs: config.timeoutMs,
      });
    case 'replay':
      if (config.replayDirectory === undefined) {
        throw new ConfigError('source replay needs a replay directory', {
          hint: 'Set --replay-dir or TICKOPS_REPLAY_DIR to a folder of recordings.',
        });
      }
      return createReplaySource({ directory: config.replayDirectory });
    case 'simulated':
      return createSimulatedSource();
  }
}
