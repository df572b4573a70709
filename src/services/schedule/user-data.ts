/**
 * The machine's user data: a shell script cloud-init runs once, at first boot. It installs
 * Docker, writes the job's settings and scripts, installs a systemd timer and pulls the image.
 * The job itself is only ever started by the timer, which survives reboots and stop/start;
 * user data never runs again. Running the script again by hand rewrites the same files and
 * re-enables the same timer, so it changes nothing (no appended lines, no second timer).
 */
import { ConfigError } from '../errors.js';
import type { MachineSpec } from './machine-spec.js';
import {
  containerUid,
  machinePaths,
  renderEnvironmentFile,
  renderPullScript,
  renderRunScript,
  renderServiceUnit,
  renderSessionDateScript,
  renderTimerUnit,
} from './units.js';

/** EC2's limit on user data, counted before base64 encoding. */
export const userDataLimitBytes = 16 * 1024;

// ':' cannot occur in a ticker or an env key, so no line of the content can equal this.
const delimiter = 'TICKOPS:END';

/** The user-data script for a spec. */
export function renderUserData(spec: MachineSpec): string {
  const files: [path: string, mode: string, content: string][] = [
    [machinePaths.environment, '0644', renderEnvironmentFile(spec)],
    ...(spec.tickersCsv === undefined
      ? []
      : [[machinePaths.tickers, '0644', spec.tickersCsv] as [string, string, string]]),
    [machinePaths.sessionDate, '0755', renderSessionDateScript(spec.schedule)],
    [machinePaths.pull, '0755', renderPullScript(spec)],
    [machinePaths.run, '0755', renderRunScript(spec)],
    [machinePaths.service, '0644', renderServiceUnit()],
    [machinePaths.timer, '0644', renderTimerUnit(spec.schedule)],
  ];

  return `#!/bin/bash
# tickops machine setup, rendered by tickops ec2 launch. Safe to run again by hand.
set -euo pipefail

if ! command -v docker >/dev/null 2>&1; then
  dnf install -y docker
fi
systemctl enable --now docker.service

install -d -m 0755 /etc/tickops /usr/local/libexec
install -d -m 0750 -o ${containerUid} -g ${containerUid} ${machinePaths.data}

# Replace a file whole (temporary name, then rename), so a rerun never appends.
put_file() {
  local tmp
  tmp="$(mktemp "$1.XXXXXX")"
  cat > "$tmp"
  chmod "$2" "$tmp"
  mv -f "$tmp" "$1"
}

${files.map(([path, mode, content]) => heredoc(path, mode, content)).join('\n')}
systemctl daemon-reload
systemctl enable --now tickops-daily.timer

${machinePaths.pull} || echo "tickops setup: image pull failed; each run pulls again" >&2
systemctl list-timers tickops-daily.timer --no-pager || true
`;
}

function heredoc(path: string, mode: string, content: string): string {
  if (content.split('\n').includes(delimiter)) {
    throw new ConfigError(`the content of ${path} contains the line ${delimiter}`);
  }

  return `put_file ${path} ${mode} <<'${delimiter}'\n${content}${delimiter}\n`;
}

/** Size-check the user data and base64 it for RunInstances. */
export function encodeUserData(script: string): string {
  const bytes = Buffer.byteLength(script, 'utf8');
  if (bytes > userDataLimitBytes) {
    throw new ConfigError(
      `the machine's user data is ${bytes} bytes; EC2 accepts at most ${userDataLimitBytes}`,
      { hint: 'shorten the ticker list given with --tickers, or bake the list into the image' },
    );
  }

  return Buffer.from(script, 'utf8').toString('base64');
}
