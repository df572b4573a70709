/** The console's services over real AWS clients and the same run setup as --run-today. */
import { createEc2ScreenService } from './ec2-wiring.js';
import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../services/aws-clients.js';
import { createStsClient } from '../services/sts-client.js';
import { downloadObject, listLevel, readObject } from '../services/bucket-browser.js';
import type { Config } from '../services/config.js';
import { followCloudRun } from '../services/cloud-run.js';
import { loadCoverage } from '../services/coverage.js';
import { expectedBars } from '../services/exchange-hours.js';
import { desiredIam } from '../services/iam/desired.js';
import { planIam } from '../services/iam/plan.js';
import { getIdentity } from '../services/identity.js';
import { silentLogger, type Logger } from '../services/logger.js';
import { RunController } from '../services/run-controller.js';
import { tradingDateAt } from '../services/trading-day.js';
import type { ConsoleServices, IamService } from '../screens/console-services.js';
import { configuredNow, launchRun, type RunSetup } from './run-setup.js';

// A look lists the day's prefixes (a request per 1,000 objects) and reads only new parts: for a
// 5,000-ticker day about 12 requests a look, some 9,000 an hour, about 4 US cents at S3's price.
const cloudLookIntervalMs = 5000;

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
    cloud: {
      intervalMs: cloudLookIntervalMs,
      follow: (date, onEvent) =>
        followCloudRun(
          {
            date,
            layout: config.layout,
            symbols: setup.list.tickers.map((ticker) => ticker.symbol),
            shardCount: config.shardCount,
            sink: setup.sink,
            reader: setup.parts,
            intervalMs: cloudLookIntervalMs,
            now,
          },
          onEvent,
        ),
    },
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
    iam: createIamService(config, config.configFile ?? defaultConfigPath(), setup.logger),
    ec2: createEc2ScreenService(config, s3, setup.list, setup.logger),
  };
}

/** The config file the setup writes when none was read: `tickops.config.json` here. */
export function defaultConfigPath(): string {
  return resolve(process.cwd(), 'tickops.config.json');
}

// The IAM SDK client is about 20 MB; the check, apply and setup modules all reach it. They are
// loaded together the first time the IAM screen or the wizard asks, never at console start.
async function loadIamModules(config: Config) {
  const [client, check, apply, setup] = await Promise.all([
    import('../services/iam-client.js'),
    import('../services/iam/check.js'),
    import('../services/iam/apply.js'),
    import('../services/setup.js'),
  ]);

  return { iam: client.createIamClient(config), ...check, ...apply, ...setup };
}

/** IAM and the setup steps over real clients, loading the IAM SDK on first use. */
export function createIamService(
  config: Config,
  configPath: string,
  logger: Logger = silentLogger,
): IamService {
  let modules: ReturnType<typeof loadIamModules> | undefined;
  const load = () => (modules ??= loadIamModules(config));
  const sts = createStsClient(config);
  const s3Clients = new Map<string, S3Client>();
  // The bucket must be probed and created through its own region's endpoint.
  const s3For = (region: string) => {
    const client = s3Clients.get(region) ?? createS3Client({ ...config, region });
    s3Clients.set(region, client);
    return client;
  };
  const identity = async () => (await load()).detectIdentity(sts, config.endpoint);

  return {
    async check(wanted, signal) {
      const { iam, checkIam } = await load();
      const { accountId, partition } = await identity();
      signal.throwIfAborted();
      const target = { accountId, partition, bucket: config.bucket, layout: config.layout };

      return checkIam(iam, desiredIam({ ...target, ...wanted }), { logger });
    },
    plan: planIam,
    async apply(plan, onEvent, signal) {
      const { iam, applyIam } = await load();

      return applyIam(iam, plan, { onEvent, signal, logger });
    },
    setup: {
      defaults: { bucket: config.bucket, region: config.region, layout: config.layout },
      configPath,
      identity: () => identity(),
      async inspectBucket(bucket, region, accountId) {
        const { probeBucket, suggestBucketName } = await load();
        const probe = await probeBucket(s3For(region), {
          bucket,
          region,
          endpoint: config.endpoint,
        });

        return { ...suggestBucketName(bucket, accountId), region, probe };
      },
      async plan(choices) {
        const { iam, planSetup } = await load();

        return planSetup({ iam, sts }, choices);
      },
      // applySetup takes no signal: once started, a setup runs to its end (a few IAM calls,
      // each safe to repeat), and the wizard does not let a stray key interrupt it.
      async apply(plan, onEvent) {
        const { iam, applySetup, writeConfigFile } = await load();
        const s3 = s3For(plan.choices.region);
        const done = await applySetup({ iam, s3 }, plan, { onEvent, endpoint: config.endpoint });
        const { bucket, region } = plan.choices;
        const written = await writeConfigFile(configPath, { bucket, region });

        return { ...done, config: written, configPath };
      },
    },
  };
}
