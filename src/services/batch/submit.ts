/**
 * Submitting a day as one array job: N children of the job definition, each told the date and
 * the shard count, and given its index by Batch (AWS_BATCH_JOB_ARRAY_INDEX). The date travels
 * with the job so that an attempt retried after midnight still fetches the day it was for.
 */
import {
  SubmitJobCommand,
  type BatchClient,
  type SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import { toTickopsError } from '../aws-errors.js';
import { ConfigError } from '../errors.js';
import type { TradingDate } from '../market-data/types.js';
import { maxShardCount } from '../shard.js';
import { compactDate } from '../trading-day.js';
import { jobDefinitionName } from './job-definition.js';

/** The name every day's array job gets, so `status --date` can find it again. */
export function dayJobName(date: TradingDate): string {
  return `tickops-${compactDate(date)}`;
}

/** The date a day's job name stands for, if it is one of ours. */
export function dateOfJobName(jobName: string): TradingDate | undefined {
  const match = /^tickops-(\d{4})(\d{2})(\d{2})$/.exec(jobName);

  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}

/** The SubmitJob request for a day split into `size` shards. */
export function renderSubmission(
  date: TradingDate,
  size: number,
  queueArn: string,
  jobDefinition = jobDefinitionName,
): SubmitJobCommandInput {
  // Batch runs arrays of 2 to 10,000 children; a single shard is just a job of its own.
  if (!Number.isInteger(size) || size < 2 || size > maxShardCount) {
    throw new ConfigError(
      `--size: expected a whole number from 2 to ${maxShardCount}, got ${size}`,
      {
        hint: 'one shard is an ordinary run: tickops --run-today on any machine',
      },
    );
  }

  return {
    jobName: dayJobName(date),
    jobQueue: queueArn,
    jobDefinition,
    arrayProperties: { size },
    containerOverrides: {
      command: ['--run-today', '--date', date],
      environment: [{ name: 'TICKOPS_SHARD_COUNT', value: String(size) }],
    },
  };
}

/** Submit; resolves with the array job's id. */
export async function submitDay(
  batch: BatchClient,
  request: SubmitJobCommandInput,
  endpoint?: string,
): Promise<{ jobId: string; jobName: string }> {
  try {
    const reply = await batch.send(new SubmitJobCommand(request));
    return { jobId: reply.jobId ?? '', jobName: reply.jobName ?? request.jobName ?? '' };
  } catch (error) {
    throw toTickopsError(error, {
      action: 'batch:SubmitJob',
      resource: `job queue ${request.jobQueue}`,
      endpoint,
    });
  }
}
