/** The IAM client, with the settings every client shares (see aws-clients.ts). */
import { IAMClient } from '@aws-sdk/client-iam';
import { clientSettings } from './aws-clients.js';
import type { Config } from './config.js';

/** IAM is global; the SDK finds its endpoint from any region, or uses the override. */
export function createIamClient(config: Config): IAMClient {
  return new IAMClient(clientSettings(config));
}
