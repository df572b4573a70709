/** The EventBridge Scheduler client, with the settings every client shares (aws-clients.ts). */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { clientSettings } from './aws-clients.js';
import type { Config } from './config.js';

/** EventBridge Scheduler for the configured region, or the endpoint override. */
export function createSchedulerClient(config: Config): SchedulerClient {
  return new SchedulerClient(clientSettings(config));
}
