/** The ECS client, with the settings every client shares (see aws-clients.ts). */
import { ECSClient } from '@aws-sdk/client-ecs';
import { clientSettings } from './aws-clients.js';
import type { Config } from './config.js';

/** ECS for the configured region, or the endpoint override. */
export function createEcsClient(config: Config): ECSClient {
  return new ECSClient(clientSettings(config));
}
