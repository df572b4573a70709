/** The AWS Batch client, with the settings every client shares (see aws-clients.ts). */
import { BatchClient } from '@aws-sdk/client-batch';
import { clientSettings } from './aws-clients.js';
import type { Config } from './config.js';

/** Batch for the configured region, or the endpoint override. */
export function createBatchClient(config: Config): BatchClient {
  return new BatchClient(clientSettings(config));
}
