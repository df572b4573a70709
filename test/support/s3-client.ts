/** An S3 client aimed at a loopback server with fake credentials: never at real AWS. */
import { S3Client } from '@aws-sdk/client-s3';

/** A client for tests; one attempt only, so scripted replies are not repeated by SDK retries. */
export function testS3Client(endpoint: string, region = 'eu-west-1', maxAttempts = 1): S3Client {
  return new S3Client({
    region,
    endpoint,
    forcePathStyle: true,
    maxAttempts,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}
