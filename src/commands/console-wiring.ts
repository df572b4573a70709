/** The console's services over real AWS clients and the same run setup as --run-today. */
import { createS3Client } from '../services/aws-clients.js';
import { createStsClient } from '../services/sts-client.js';
import { downloadObject, listLevel, readObject } from '../services/bucket-browser.js';
import { loadCoverage } from '../services/coverage.js';
import { expectedBars } from '../services/exchange-hours.js';
import { getIdentity } from '../services/identity.js';
import { RunController } from '../services/run-controller.js';
import { tradingDateAt } from '../services/trading-day.js';
import type { ConsoleServices } from '../screens/console-services.js';
import { configuredNow, launchRun, type RunSetup } from './run-setup.js';

/** Build everything the screens call. */
export function createConsoleServices(setup: RunSetup): ConsoleServices {
  const { config } = setup;
  const s3 = createS3Client(config);
  const target = { bucket: config.bucket, region: config.region, endpoint: config.endpoint };
  const now = configuredNow(config);

  return {
    config,
    now,
    identity: () => getIdentity(createStsClient(config), config.endpoint),
    run: new RunController({
      launch: (request, onEvent, signal) => launchRun(setup, { ...request, signal, onEvent }),
      now: Date.now,
    }),
    bucket: {
      list: (prefix, signal) => listLevel(s3, target, prefix, { signal }),
      read: (key, signal) => readObject(s3, target, key, { signal, maxBytes: 4 * 1024 * 1024 }),
      download: (key) => downloadObject(s3, target, key, config.dataDirectory),
    },
    coverage: (signal) =>
      loadCoverage(s3, target, {
        layout: config.layout,
        tickers: setup.list.tickers.map((ticker) => ticker.symbol),
        today: tradingDateAt(now(), config.timeZone),
        days: 10,
        expectedBars: expectedBars(config.exchange),
        signal,
      }),
  };
}
