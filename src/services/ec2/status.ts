/**
 * Everything `tickops ec2 status` (and the EC2 screen) shows: each tagged machine with the end
 * of its console output, the bucket's newest manifest, and the next scheduled runs. Parts that
 * fail (no console output yet, no bucket yet) are reported inside the result, not thrown.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KeyLayout } from '../config.js';
import { silentLogger, type Logger } from '../logger.js';
import type { BucketTarget } from '../s3.js';
import { nextRunTimes, type DailySchedule, type ScheduledRun } from '../schedule/daily-schedule.js';
import { readConsoleTail, type ConsoleTail } from './console-output.js';
import { findMachines } from './find-machine.js';
import { findLastUpload, type LastUpload } from './last-upload.js';
import type { Machine } from './machine.js';

/** One machine and what its console says. */
export interface MachineReport {
  readonly machine: Machine;
  readonly consoleTail: ConsoleTail;
}

/** The whole status. */
export interface Ec2Status {
  readonly region: string;
  readonly bucket: string;
  readonly machines: readonly MachineReport[];
  readonly lastUpload: LastUpload;
  /** When the timer fires next (it only fires while the machine runs). */
  readonly nextRuns: readonly ScheduledRun[];
}

/** What the status needs. */
export interface StatusOptions {
  readonly region: string;
  readonly endpoint?: string;
  readonly bucket: BucketTarget;
  readonly layout: KeyLayout;
  readonly schedule: DailySchedule;
  readonly now: number;
  readonly consoleLines?: number;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** Gather the status of the machine(s), the bucket and the schedule. */
export async function describeEc2Status(
  clients: { readonly ec2: EC2Client; readonly s3: S3Client },
  options: StatusOptions,
): Promise<Ec2Status> {
  const machines = await findMachines(clients.ec2, options);

  const [reports, lastUpload] = await Promise.all([
    Promise.all(
      machines.map(async (machine) => ({
        machine,
        consoleTail: await readConsoleTail(clients.ec2, machine.instanceId, {
          count: options.consoleLines,
          region: options.region,
          signal: options.signal,
        }),
      })),
    ),
    findLastUpload(clients.s3, options.bucket, options.layout, { signal: options.signal }),
  ]);

  if (lastUpload.state === 'unavailable') {
    (options.logger ?? silentLogger).debug('last upload unknown', { reason: lastUpload.reason });
  }

  return {
    region: options.region,
    bucket: options.bucket.bucket,
    machines: reports,
    lastUpload,
    nextRuns: nextRunTimes(options.now, 3, options.schedule),
  };
}
