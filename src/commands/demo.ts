#!/usr/bin/env node
/**
 * `npm run demo`: the whole job with no AWS account and no network. It starts moto_server on a
 * free loopback port (or, without it, keeps objects in a local folder and says so), runs the
 * real `tickops --run-today` binary three times, lists what landed and stops what it started.
 *
 *   1. the bundled recordings: AAPL on 2013-03-11 (genuine Google getprices data) and SI, which
 *      the source does not know, so it fails alone;
 *   2. the FTSE 100 list against the simulated source, labelled as generated data;
 *   3. the same again, to show that a rerun downloads and uploads nothing.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { S3Client } from '@aws-sdk/client-s3';
import {
  isEmulatorInstalled,
  startLocalEmulator,
  type LocalEmulator,
} from '../services/local-emulator.js';
import { listObjects } from '../services/s3.js';
import { createFolderSink } from '../services/object-sink.js';

// See main.ts: the pinned SDK supports Node 20; its notice about 2027 would only be noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const binary = fileURLToPath(new URL('./main.js', import.meta.url));
const simulatedDate = '2024-10-25';
const out = (text = '') => process.stdout.write(`${text}\n`);

interface Step {
  readonly title: string;
  readonly args: readonly string[];
  readonly expectedExit: number;
  /** Ticker lines to show at most; the rest are counted. */
  readonly tickerLines?: number;
}

async function main(): Promise<number> {
  const workFolder = await mkdtemp(join(tmpdir(), 'tickops-demo-'));
  const emulator = isEmulatorInstalled() ? await startLocalEmulator() : undefined;
  const env = demoEnvironment(emulator);
  const sinkArgs = emulator ? [] : ['--local-sink', join(workFolder, 'local-bucket')];

  out(
    emulator
      ? `demo: moto_server (local AWS emulator) pid ${emulator.pid} at ${emulator.endpoint}`
      : 'demo: moto_server is not installed: objects go to a local folder instead of S3',
  );
  out(`demo: local data in ${workFolder}`);

  const simulatedArgs = [
    '--source',
    'simulated',
    '--date',
    simulatedDate,
    '--data-dir',
    join(workFolder, 'ftse'),
  ];
  const steps: Step[] = [
    {
      title: 'recorded data: AAPL (Google getprices recording) and SI (unknown to the source)',
      args: ['--demo', '--data-dir', join(workFolder, 'recorded')],
      expectedExit: 1,
    },
    {
      title: `simulated data: the FTSE 100 list for ${simulatedDate} (generated, not market data)`,
      args: simulatedArgs,
      expectedExit: 0,
      tickerLines: 6,
    },
    {
      title: 'the same run again: nothing to download, nothing to upload',
      args: simulatedArgs,
      expectedExit: 0,
      tickerLines: 0,
    },
  ];

  try {
    for (const step of steps) {
      const ok = await runStep(step, [...sinkArgs], env);
      if (!ok) return 1;
    }
    await showBucket(emulator, workFolder);
    out(`demo: the day folders stay in ${workFolder} for a look; rm -rf it when done`);
  } finally {
    if (emulator) {
      await emulator.stop();
      out(`demo: stopped moto_server pid ${emulator.pid}`);
    }
  }

  return 0;
}

/** Fake credentials and the emulator's endpoint: the demo can never reach a real account. */
function demoEnvironment(emulator: LocalEmulator | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // The operator's own AWS settings (a profile, a session token) must not reach the demo.
    if (value !== undefined && !/^(AWS_|TICKOPS_)/.test(key)) env[key] = value;
  }

  Object.assign(env, {
    AWS_ACCESS_KEY_ID: 'demo',
    AWS_SECRET_ACCESS_KEY: 'demo',
    AWS_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    TICKOPS_BUCKET: 'ftse100',
  });
  if (emulator) env.AWS_ENDPOINT_URL = emulator.endpoint;

  return env;
}

async function runStep(
  step: Step,
  sinkArgs: string[],
  env: Record<string, string>,
): Promise<boolean> {
  out();
  out(`== ${step.title}`);
  out(`$ tickops --run-today ${step.args.join(' ')}`);

  const result = await execa('node', [binary, '--run-today', ...step.args, ...sinkArgs], {
    env,
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
  });
  const lines = (result.all ?? '').split('\n');
  const isTickerLine = (line: string) => /^(stored|done|empty) /.test(line);
  const limit = step.tickerLines ?? Number.POSITIVE_INFINITY;
  let tickerLines = 0;
  let hidden = 0;
  for (const line of lines) {
    if (isTickerLine(line) && (tickerLines += 1) > limit) {
      hidden += 1;
      continue;
    }
    if (hidden > 0) {
      const what = limit === 0 ? 'ticker lines, not shown' : 'more ticker lines like these';
      out(`  (${hidden} ${what})`);
      hidden = 0;
    }
    out(`  ${line}`);
  }
  out(`  (exit ${result.exitCode})`);

  if (result.exitCode !== step.expectedExit) {
    out(`demo: expected exit ${step.expectedExit} here; stopping`);
    return false;
  }
  if (step.expectedExit === 1)
    out('  exit 1 is the documented "some tickers failed": SI failed alone');

  return true;
}

async function showBucket(emulator: LocalEmulator | undefined, workFolder: string): Promise<void> {
  out();
  out('== what landed in the bucket ftse100');

  const objects = emulator
    ? await listObjects(emulatorClient(emulator), { bucket: 'ftse100', region: 'eu-west-1' }, '')
    : await createFolderSink(join(workFolder, 'local-bucket'), 'ftse100').list('');

  const keys = [...objects.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const byPrefix = new Map<string, number>();
  for (const object of keys) {
    const prefix = object.key.slice(0, object.key.lastIndexOf('/') + 1);
    byPrefix.set(prefix, (byPrefix.get(prefix) ?? 0) + 1);
  }
  for (const [prefix, count] of byPrefix)
    out(`  ${prefix}  ${count} object${count === 1 ? '' : 's'}`);
  for (const object of keys.filter((item) => /AAPL|BARC|manifests/.test(item.key))) {
    out(`  ${object.key}  ${object.size} bytes`);
  }
}

function emulatorClient(emulator: LocalEmulator): S3Client {
  return new S3Client({
    region: 'eu-west-1',
    endpoint: emulator.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
