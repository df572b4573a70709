/** The SSM client, with the settings every client shares (see aws-clients.ts). */
import { SSMClient } from '@aws-sdk/client-ssm';
import { clientSettings } from './aws-clients.js';
import type { Config } from './config.js';

/** SSM, for the public parameters that name the current Amazon Linux AMI. */
export function createSsmClient(config: Config): SSMClient {
  return new SSMClient(clientSettings(config));
}
