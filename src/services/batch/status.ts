/**
 * Where a day's array job stands: the parent's status and, per child, its status, attempts
 * and the exit code of each. Children are described by id (`<array job id>:<index>`, as Batch
 * names them) in batches of 100, which needs no per-status listing.
 */
import {
  DescribeJobsCommand,
  ListJobsCommand,
  type BatchClient,
  type JobDetail,
} from '@aws-sdk/client-batch';
import { toTickopsError } from '../aws-errors.js';
import { TickopsError } from '../errors.js';

/** One child of the array. */
export interface ShardJob {
  readonly index: number;
  readonly status: string;
  /** Exit codes of the attempts so far, oldest first (undefined: ended without one). */
  readonly exitCodes: readonly (number | undefined)[];
  readonly reason: string | undefined;
}

/** The array job and its children. */
export interface ArrayJobStatus {
  readonly jobId: string;
  readonly jobName: string;
  readonly status: string;
  readonly size: number;
  readonly children: readonly ShardJob[];
}

/** The newest job of a name in a queue; undefined when there is none. */
export async function findJobByName(
  batch: BatchClient,
  queueArn: string,
  jobName: string,
  endpoint?: string,
): Promise<string | undefined> {
  const found: { jobId: string; createdAt: number }[] = [];
  let nextToken: string | undefined;
  try {
    do {
      // With a filter Batch lists jobs of every status, newest first.
      const reply = await batch.send(
        new ListJobsCommand({
          jobQueue: queueArn,
          filters: [{ name: 'JOB_NAME', values: [jobName] }],
          nextToken,
        }),
      );
      for (const job of reply.jobSummaryList ?? []) {
        // An array job's children are listed too, as `parent:index`, created in the same
        // second as their parent: only parents are candidates.
        if (job.jobId && !job.jobId.includes(':')) {
          found.push({ jobId: job.jobId, createdAt: job.createdAt ?? 0 });
        }
      }
      nextToken = reply.nextToken;
    } while (nextToken);
  } catch (error) {
    throw toTickopsError(error, {
      action: 'batch:ListJobs',
      resource: `queue ${queueArn}`,
      endpoint,
    });
  }

  return found.sort((a, b) => b.createdAt - a.createdAt)[0]?.jobId;
}

/** Describe the array job and every child. */
export async function describeArrayJob(
  batch: BatchClient,
  jobId: string,
  endpoint?: string,
): Promise<ArrayJobStatus> {
  const [parent] = await describeJobs(batch, [jobId], endpoint);
  if (!parent) {
    throw new TickopsError(`AWS Batch has no job ${jobId}`, {
      hint: "check the id, or use --date to find the day's job (jobs are kept about 7 days)",
    });
  }

  const size = parent.arrayProperties?.size ?? 0;
  const ids = Array.from({ length: size }, (_, index) => `${jobId}:${index}`);
  const children: JobDetail[] = [];
  for (let start = 0; start < ids.length; start += 100) {
    children.push(...(await describeJobs(batch, ids.slice(start, start + 100), endpoint)));
  }

  return {
    jobId,
    jobName: parent.jobName ?? '',
    status: parent.status ?? 'UNKNOWN',
    size,
    children: children.map(toShardJob).sort((a, b) => a.index - b.index),
  };
}

function toShardJob(job: JobDetail): ShardJob {
  const attempts = job.attempts ?? [];
  const exitCodes = attempts.map((attempt) => attempt.container?.exitCode);
  // A child that has not stopped yet has no attempt, but may already say why it waits.
  if (exitCodes.length === 0 && job.container?.exitCode !== undefined) {
    exitCodes.push(job.container.exitCode);
  }

  return {
    index: job.arrayProperties?.index ?? Number((job.jobId ?? '').split(':').at(-1)),
    status: job.status ?? 'UNKNOWN',
    exitCodes,
    reason: job.statusReason ?? attempts.at(-1)?.statusReason,
  };
}

async function describeJobs(batch: BatchClient, jobs: string[], endpoint?: string) {
  try {
    const reply = await batch.send(new DescribeJobsCommand({ jobs }));
    return reply.jobs ?? [];
  } catch (error) {
    throw toTickopsError(error, {
      action: 'batch:DescribeJobs',
      resource: `job ${jobs[0] ?? ''}`,
      endpoint,
    });
  }
}
