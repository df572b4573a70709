/**
 * AWS clients, built once at the edge from the config. Credentials come from the SDK's
 * standard chain (profile, environment, instance role); an endpoint override points every
 * client at the same emulator, with path-style S3 addressing since `bucket.localhost` does not
 * resolve.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
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

/** IAM is global; the SDK finds its endpoint from any region, or uses the override. */
export function createIamClient(config: Config): IAMClient {
  return new IAMClient(clientSettings(config));
}

/** EC2 in the configured region. */
export function createEc2Client(config: Config): EC2Client {
  return new EC2Client(clientSettings(config));
}

/** SSM, for the public parameters that name the current Amazon Linux AMI. */
export function createSsmClient(config: Config): SSMClient {
  return new SSMClient(clientSettings(config));
}

/** STS, to say who the credentials belong to. */
export function createStsClient(config: Config): STSClient {
  return new STSClient(clientSettings(config));
}
