/**
 * Plain-text lines for the EC2 status, the launch plan and progress events: what the command
 * prints and what a log pane can show. No colour and no cursor movement.
 */
import { onCalendarOf, type DailySchedule } from '../schedule/daily-schedule.js';
import type { Ec2Event } from './events.js';
import type { LaunchPlan } from './launch-plan.js';
import type { Machine } from './machine.js';
import type { Ec2Status, MachineReport } from './status.js';

/** One line per event. */
export function eventLine(event: Ec2Event): string {
  switch (event.type) {
    case 'step':
      return `... ${event.message}`;
    case 'image-fallback':
      return `... ${event.reason}`;
    case 'security-group-created':
      return `created security group ${event.groupId} in ${event.vpcId}`;
    case 'ssh-rule-added':
      return `allowed SSH into ${event.groupId} from ${event.cidr}`;
    case 'profile-retry':
      return (
        `instance profile ${event.profile} not accepted by EC2 yet (IAM changes take a while ` +
        `to propagate); retrying in ${event.delayMs / 1000} s ` +
        `(attempt ${event.attempt}, ${Math.round(event.elapsedMs / 1000)} s of at most ` +
        `${event.maxWaitMs / 1000} s)`
      );
    case 'launched':
      return `launched ${event.instanceId}`;
    case 'state':
      return `${event.instanceId} is ${event.state}`;
    case 'state-change':
      return `${event.instanceId}: ${event.from ?? 'unknown'} -> ${event.to ?? 'unknown'}`;
  }
}

/** How the operator names a machine: its id, Name tag, state and type. */
export function machineLabel(machine: Machine): string {
  const name = machine.name ? ` (${machine.name})` : '';
  const state = `${machine.state ?? 'unknown'} ${machine.instanceType ?? ''}`.trim();

  return `${machine.instanceId}${name}, ${state}`;
}

function metadataLine(machine: Machine): string {
  const metadata = machine.metadata;
  if (!metadata) return 'unknown';
  const tokens = metadata.httpTokens === 'required' ? 'IMDSv2 required' : 'IMDSv1 allowed';

  const { hopLimit = '?', httpEndpoint = '?' } = metadata;

  return `${tokens}, hop limit ${hopLimit}, endpoint ${httpEndpoint}`;
}

function machineLines({ machine, consoleTail: tail }: MachineReport): string[] {
  const dns = machine.publicDns ? ` (${machine.publicDns})` : '';
  const { publicIp = 'none', privateIp = 'none' } = machine;
  const addresses = `public ${publicIp}${dns}, private ${privateIp}`;
  const lines = [
    `machine   ${machineLabel(machine)}`,
    `  image       ${machine.imageId ?? '?'}, launched ${machine.launchTime ?? '?'}`,
    `  addresses   ${addresses}`,
    `  profile     ${machine.instanceProfileArn ?? 'none'}`,
    `  metadata    ${metadataLine(machine)}`,
  ];
  if (machine.stateReason) lines.push(`  reason      ${machine.stateReason}`);

  if (tail.state !== 'available') {
    lines.push(`  console     ${tail.state === 'empty' ? 'no output yet' : tail.reason}`);
    return lines;
  }
  const at = tail.at ? ` at ${tail.at}` : '';

  return [
    ...lines,
    `  console     last ${tail.lines.length} lines${at}:`,
    ...tail.lines.map((line) => `    | ${line}`),
  ];
}

function uploadLine(status: Ec2Status): string {
  const upload = status.lastUpload;
  if (upload.state === 'found') {
    return `last upload ${upload.key} (trading day ${upload.date}) at ${upload.uploadedAt ?? '?'}`;
  }
  if (upload.state === 'unavailable') return `last upload unknown: ${upload.reason}`;

  const missing = upload.bucketMissing ? ` (bucket ${status.bucket} does not exist yet)` : '';

  return `last upload none yet${missing}`;
}

/** The status as lines. */
export function statusLines(status: Ec2Status): string[] {
  const lines = status.machines.flatMap(machineLines);
  if (status.machines.length === 0) {
    lines.push(`no machine tagged tickops:role=downloader in ${status.region}`);
  }

  lines.push(uploadLine(status));
  const runs = status.nextRuns.map((run) => `${run.local} = ${run.utc}`);
  lines.push(`next runs   ${runs.join('; ')}`);
  if (status.machines.some(({ machine }) => machine.state === 'stopped')) {
    lines.push('            (a stopped machine runs nothing; a missed run happens when it starts)');
  }

  return lines;
}

function groupLine(plan: LaunchPlan): string {
  const group = plan.ownGroup;
  if (group === undefined) return `yours: ${plan.network.securityGroupIds.join(', ')}`;

  const inbound = [...(group.existing?.inbound ?? [])];
  if (group.ssh) inbound.push(`tcp 22 from ${group.ssh.cidr}`);
  const which = group.existing ? `reuse ${group.existing.groupId}` : 'new';

  return `${group.name} (${which}), inbound: ${inbound.join(', ') || 'none'}`;
}

/** The launch plan as lines, for confirming. */
export function planLines(plan: LaunchPlan, schedule: DailySchedule): string[] {
  const { network, image, rootVolume } = plan;
  const vpc = `${network.isDefaultVpc ? 'default VPC ' : ''}${network.vpcId}`;
  const tags = Object.entries(plan.tags).map(([key, value]) => `${key}=${value}`);

  const lines = [
    `launch plan in ${plan.region}:`,
    `  image          ${image.imageId} ${image.name ?? ''} (${imageSource(plan)})`,
    `  type           ${plan.instanceType}`,
    `  profile        ${plan.instanceProfile}`,
    '  metadata       IMDSv2 required, hop limit 2',
    `  root volume    ${rootVolume.sizeGiB} GiB gp3, encrypted, ${rootVolume.deviceName}`,
    `  network        ${vpc}, subnet ${network.subnetId ?? 'a default subnet'}`,
    `  security group ${groupLine(plan)}`,
    `  key pair       ${plan.keyName ?? 'none'}`,
    `  tags           ${tags.join(', ')}`,
    `  user data      ${plan.userDataBytes} bytes: Docker, then a timer ${onCalendarOf(schedule)}`,
  ];
  if (plan.existing.length > 0) {
    lines.push(`  beside         ${plan.existing.join(', ')} (--allow-second)`);
  }
  lines.push(...plan.warnings.map((warning) => `  warning        ${warning}`));

  return lines;
}

function imageSource(plan: LaunchPlan): string {
  const { image } = plan;
  if (image.foundBy === 'ssm-parameter') return `SSM ${image.parameter ?? ''}`.trim();

  return image.foundBy === 'given' ? 'given with --ami' : 'newest found by DescribeImages';
}
