/**
 * What the console's screens are given: the config, the clock and the services they call.
 * The command builds the real ones; tests pass fakes that emit real event sequences.
 */
import type { BucketLevel } from '../services/bucket-browser.js';
import type { Config } from '../services/config.js';
import type { CoverageGrid } from '../services/coverage.js';
import type { Identity } from '../services/identity.js';
import type { RunController } from '../services/run-controller.js';

/** The bucket, as the browser needs it. */
export interface BucketService {
  list(prefix: string, signal: AbortSignal): Promise<BucketLevel>;
  read(key: string, signal: AbortSignal): Promise<Uint8Array>;
  /** Copy an object into the data directory; resolves with the local path. */
  download(key: string): Promise<string>;
}

/** Everything the screens use. */
export interface ConsoleServices {
  readonly config: Config;
  readonly now: () => number;
  readonly identity: () => Promise<Identity>;
  readonly run: RunController;
  readonly bucket: BucketService;
  readonly coverage: (signal: AbortSignal) => Promise<CoverageGrid>;
}
