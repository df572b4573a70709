/**
 * The files the user data installs: a systemd timer and service that run the container, and
 * the small scripts the service starts. Each renderer is a pure function of the spec.
 */
import { containerPaths, type MachineSpec } from './machine-spec.js';
import { onCalendarOf, type DailySchedule } from './daily-schedule.js';

/** Where each installed file goes on the machine. */
export const machinePaths = {
  environment: '/etc/tickops/tickops.env',
  tickers: '/etc/tickops/tickers.csv',
  data: '/var/lib/tickops',
  sessionDate: '/usr/local/libexec/tickops-session-date',
  pull: '/usr/local/libexec/tickops-pull',
  run: '/usr/local/libexec/tickops-daily',
  service: '/etc/systemd/system/tickops-daily.service',
  timer: '/etc/systemd/system/tickops-daily.timer',
} as const;

/** The uid of the `node` user the image runs as (see the Dockerfile); it owns the data. */
export const containerUid = 1000;

const ecrHost = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** The timer: weekdays at the local time, caught up at boot when a run was missed. */
export function renderTimerUnit(schedule: DailySchedule): string {
  return `[Unit]
Description=tickops daily download, weekdays at ${schedule.localTime} ${schedule.timeZone}

[Timer]
OnCalendar=${onCalendarOf(schedule)}
Persistent=true
Unit=tickops-daily.service

[Install]
WantedBy=timers.target
`;
}

/** The service the timer starts: one run of the container, its output in the journal. */
export function renderServiceUnit(): string {
  return `[Unit]
Description=tickops --run-today in its container
Wants=network-online.target
After=network-online.target docker.service
Requires=docker.service

[Service]
Type=oneshot
ExecStart=${machinePaths.run}
StandardOutput=journal
StandardError=journal
SyslogIdentifier=tickops
TimeoutStartSec=3h
`;
}

/**
 * Prints the trading date a run is for. The timer fires at the schedule's time, but a run
 * caught up at boot (Persistent=true) can start the next morning, when "today" has not
 * closed: that run is for the session it missed. An instant may be given for checking.
 */
export function renderSessionDateScript(schedule: DailySchedule): string {
  const hhmm = schedule.localTime.replace(':', '');

  return `#!/bin/bash
# Usage: tickops-session-date [INSTANT]   (INSTANT in date -d syntax, e.g. @1711645200)
set -euo pipefail
export TZ='${schedule.timeZone}'
at="\${1:-now}"
day="$(date -d "$at" +%F)"
if (( 10#$(date -d "$at" +%H%M) < 10#${hhmm} )); then
  day="$(date -d "$day 12:00 1 day ago" +%F)"
fi
while (( $(date -d "$day 12:00" +%u) > 5 )); do
  day="$(date -d "$day 12:00 1 day ago" +%F)"
done
echo "$day"
`;
}

/** Pulls the image; logs in first when it lives in ECR (tokens last 12 hours). */
export function renderPullScript(spec: MachineSpec): string {
  const host = spec.image.includes('/') ? (spec.image.split('/')[0] ?? '') : '';
  const ecr = ecrHost.exec(host);
  const login = ecr
    ? `aws ecr get-login-password --region '${ecr[2]}' |
  docker login --username AWS --password-stdin '${host}'
`
    : '';

  return `#!/bin/bash
set -euo pipefail
${login}docker pull --quiet '${spec.image}'
`;
}

/** What the service runs: pull (best effort), then the job in the foreground, no TTY. */
export function renderRunScript(spec: MachineSpec): string {
  const tickers =
    spec.tickersCsv === undefined
      ? ''
      : `  --volume ${machinePaths.tickers}:${containerPaths.tickers}:ro \\\n`;

  return `#!/bin/bash
set -euo pipefail
day="$(${machinePaths.sessionDate})"
${machinePaths.pull} || echo "tickops: pull failed; running the image already here" >&2
docker rm --force tickops-daily >/dev/null 2>&1 || true
exec docker run --rm --name tickops-daily \\
  --env-file ${machinePaths.environment} \\
  --volume ${machinePaths.data}:${containerPaths.data} \\
${tickers}  '${spec.image}' --run-today --date "$day"
`;
}

/** The container's environment file, one `KEY=value` a line, as docker --env-file reads it. */
export function renderEnvironmentFile(spec: MachineSpec): string {
  return spec.environment.map(([key, value]) => `${key}=${value}\n`).join('');
}
