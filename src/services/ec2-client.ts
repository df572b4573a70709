/** The EC2 client, with the settings every client shares (see aws-clients.ts). */
import { EC2Client } from '@aws-sdk/client-ec2';
import { clientSettings } from './aws-clients.js';
import type { Config } from './config.js';

/** EC2 in the configured region. */
export function createEc2Client(config: Config): EC2Client {
  return new EC2Client(clientSettings(config));
}
