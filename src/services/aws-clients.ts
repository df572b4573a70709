/**
 * AWS clients, built once at the edge from the config. Credentials come from the SDK's
 * standard chain (profile, environment, instance role); an endpoint override points every
 * client at the same emulator, with path-style S3 addressing since `bucket.localhost` does not
 * resolve. Each service's client lives in its own module because loading an SDK client is
 * costly (EC2's alone is about 60 MB and 300 ms): the job loads S3 only, the console S3 and STS.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Config } from './config.js';

/** The settings every client shares. */
export function clientSettings(config: Config) {
  return {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    // The standard retry mode already backs off on SlowDown, 503 and connection resets.
    maxAttempts: 5,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 60_000 }),
  };
}

/** The S3 client for the configured bucket's region. */
export function createS3Client(config: Config): S3Client {
  return new S3Client({ ...clientSettings(config), forcePathStyle: config.forcePathStyle });
}
