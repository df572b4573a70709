/** The STS client, with the settings every client shares (see aws-clients.ts). */
import { STSClient } from '@aws-sdk/client-sts';
import { clientSettings } from './aws-clients.js';
import type { Config } from './config.js';

/** STS, to say who the credentials belong to. */
export function createStsClient(config: Config): STSClient {
  return new STSClient(clientSettings(config));
}
