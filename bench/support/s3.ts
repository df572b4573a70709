/**
 * The S3 side: a moto_server of our own behind a proxy that delays every request, clients with
 * fake credentials aimed only at them, and the checks that prove an upload stored everything.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  emulatorRegion,
  emulatorRootCredentials,
  startLocalEmulator,
  type LocalEmulator,
} from '../../src/services/local-emulator.js';
import { createS3Sink } from '../../src/services/object-sink.js';
import { startDelayProxy, type DelayProxy } from '../../test/support/delay-proxy.js';
import { onCleanup } from './cleanup.js';
import { s3DelayMs } from './day.js';

/** HTTP attempts per command name, e.g. `PutObjectCommand`. */
export type Counts = Map<string, number>;

/** moto, and the delay proxy in front of it. */
export interface BenchS3 {
  readonly moto: LocalEmulator;
  readonly proxy: DelayProxy;
}

/** Start moto on a free loopback port and a delay proxy to it; both stop at clean-up. */
export async function startBenchS3(): Promise<BenchS3> {
  const moto = await startLocalEmulator();
  onCleanup(() => moto.stop());
  const target = { host: '127.0.0.1', port: moto.port } as const;
  const proxy = await startDelayProxy({ target, delayMs: s3DelayMs });
  onCleanup(() => proxy.close());

  return { moto, proxy };
}

/** An S3 client with the product's settings, moto's fake credentials and a loopback endpoint. */
export function loopbackS3(endpoint: string): S3Client {
  const s3 = new S3Client({
    region: emulatorRegion,
    endpoint,
    forcePathStyle: true,
    credentials: emulatorRootCredentials,
    maxAttempts: 5,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 60_000 }),
  });
  onCleanup(async () => s3.destroy());

  return s3;
}

/** Count every HTTP attempt per command; the deserialize step runs once per attempt. */
export function countRequests(s3: S3Client): Counts {
  const counts: Counts = new Map();
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'deserialize', name: 'benchRequestCounter' },
  );

  return counts;
}

/** Create a bucket (untimed, before a measured run) the way the product does. */
export async function createBucket(s3: S3Client, endpoint: string, bucket: string) {
  await createS3Sink(s3, { bucket, region: emulatorRegion, endpoint }).ensureReady();
}

/** Throw unless each bucket holds every key: proof that each variant really PUT them all. */
export async function expectAllStored(
  s3: S3Client,
  endpoint: string,
  buckets: readonly string[],
  keys: readonly string[],
) {
  for (const bucket of buckets) {
    const held = await createS3Sink(s3, { bucket, region: emulatorRegion, endpoint }).list('');
    const missing = keys.filter((key) => !held.has(key));
    if (held.size !== keys.length || missing.length > 0) {
      const example = missing[0] === undefined ? '' : `, e.g. ${missing[0]} is missing`;
      throw new Error(`upload: ${bucket} holds ${held.size} of ${keys.length} keys${example}`);
    }
  }
}
