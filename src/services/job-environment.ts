/**
 * The job's settings as the TICKOPS_* variables a container reads: what the EC2 machine's env
 * file and the Batch/ECS container definitions both carry. Each caller adds what is its own
 * (where the data and ticker list live in its container).
 */
import type { Config } from './config.js';

/** The settings every container of the job gets; undefined values are left out. */
export function jobEnvironment(config: Config): [string, string][] {
  const entries: [string, string | undefined][] = [
    ['TICKOPS_BUCKET', config.bucket],
    ['TICKOPS_REGION', config.region],
    ['TICKOPS_EXCHANGE', config.exchange],
    ['TICKOPS_TIMEZONE', config.timeZone],
    ['TICKOPS_SOURCE', config.source],
    ['TICKOPS_SOURCE_URL', config.sourceUrl],
    ['TICKOPS_CONCURRENCY', String(config.concurrency)],
    ['TICKOPS_UPLOAD_CONCURRENCY', String(config.uploadConcurrency)],
    ['TICKOPS_RETRIES', String(config.retries)],
    ['TICKOPS_REQUEST_TIMEOUT_MS', String(config.requestTimeoutMs)],
    // Info level, because in a container the journal or the task's log is the log.
    ['TICKOPS_LOG_LEVEL', 'info'],
  ];

  return entries.filter((entry): entry is [string, string] => entry[1] !== undefined);
}
