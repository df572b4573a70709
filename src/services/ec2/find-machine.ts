/**
 * Finding the machine: every instance carrying the machine tag, never one picked by name or
 * guessed from the instance type. An instance id given by the operator must carry the tag too,
 * so tickops never stops or terminates something it did not launch.
 */
import {
  DescribeInstancesCommand,
  paginateDescribeInstances,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { AwsResourceError, ConfigError } from '../errors.js';
import { errorCode, toEc2Error } from './ec2-errors.js';
import { machineTag, toMachine, type Machine } from './machine.js';

/** Where to look. */
export interface FindOptions {
  readonly region: string;
  readonly endpoint?: string;
  readonly signal?: AbortSignal;
}

/** Every tagged instance that is not yet terminated, oldest launch first. */
export async function findMachines(ec2: EC2Client, options: FindOptions): Promise<Machine[]> {
  const machines: Machine[] = [];
  const pages = paginateDescribeInstances(
    { client: ec2, pageSize: 100 },
    {
      Filters: [
        { Name: `tag:${machineTag.key}`, Values: [machineTag.value] },
        {
          Name: 'instance-state-name',
          Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'],
        },
      ],
    },
  );

  try {
    for await (const page of pages) {
      for (const reservation of page.Reservations ?? []) {
        machines.push(...(reservation.Instances ?? []).map(toMachine));
      }
    }
  } catch (error) {
    throw toEc2Error(error, {
      action: 'ec2:DescribeInstances',
      resource: `instances tagged ${machineTag.key}=${machineTag.value}`,
      region: options.region,
      endpoint: options.endpoint,
    });
  }

  return machines.sort((a, b) => (a.launchTime ?? '').localeCompare(b.launchTime ?? ''));
}

/**
 * The one machine a command acts on: the given instance (which must carry the tag), or the
 * only tagged one. None, or several without an id, is an error that says what to do.
 */
export async function findMachine(
  ec2: EC2Client,
  options: FindOptions & { instanceId?: string },
): Promise<Machine> {
  if (options.instanceId !== undefined) return describeTagged(ec2, options.instanceId, options);

  const machines = (await findMachines(ec2, options)).filter(
    (machine) => machine.state !== 'shutting-down',
  );
  const [only] = machines;
  if (only === undefined) {
    throw new AwsResourceError(
      `no machine tagged ${machineTag.key}=${machineTag.value} in ${options.region}`,
      { hint: 'launch one with tickops ec2 launch, or check --region' },
    );
  }
  if (machines.length > 1) {
    const ids = machines.map((machine) => machine.instanceId).join(', ');
    throw new ConfigError(`${machines.length} machines are tagged as the downloader: ${ids}`, {
      hint: 'name the one you mean with --instance-id',
    });
  }

  return only;
}

async function describeTagged(
  ec2: EC2Client,
  instanceId: string,
  options: FindOptions,
): Promise<Machine> {
  let machine: Machine | undefined;
  try {
    const reply = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }), {
      abortSignal: options.signal,
    });
    const instance = reply.Reservations?.[0]?.Instances?.[0];
    machine = instance && toMachine(instance);
  } catch (error) {
    if (errorCode(error) !== 'InvalidInstanceID.NotFound') {
      throw toEc2Error(error, {
        action: 'ec2:DescribeInstances',
        resource: instanceId,
        region: options.region,
        endpoint: options.endpoint,
      });
    }
  }

  if (machine === undefined) {
    throw new ConfigError(`instance ${instanceId} does not exist in ${options.region}`, {
      hint: 'check --instance-id and --region; tickops ec2 status lists the machine',
    });
  }
  if (machine.tags[machineTag.key] !== machineTag.value) {
    throw new ConfigError(
      `instance ${instanceId} is not tagged ${machineTag.key}=${machineTag.value}`,
      { hint: 'tickops only acts on the machine it launched' },
    );
  }

  return machine;
}
