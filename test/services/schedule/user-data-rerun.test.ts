/**
 * Runs the rendered user data for real, twice, in a private mount namespace whose /etc,
 * /usr/local and /var/lib are empty tmpfs mounts, with dnf, systemctl, docker and aws replaced
 * by stubs that only log their arguments. Nothing outside the namespace is touched. Needs root
 * and unshare(1); elsewhere the block is skipped and says so.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/services/config.js';
import { machineSpecFrom } from '../../../src/services/schedule/machine-spec.js';
import { renderUserData } from '../../../src/services/schedule/user-data.js';
import { parseTickerList } from '../../../src/services/tickers.js';

function sandboxUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']);

  return probe.status === 0 ? undefined : 'unshare --mount is not permitted here';
}

const reason = sandboxUnavailable();
if (reason !== undefined) console.warn(`Skipping the user-data rerun sandbox: ${reason}.`);

const folder = mkdtempSync(join(tmpdir(), 'tickops-rerun-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const stub = (name: string, extra = '') =>
  `#!/bin/bash\necho "${name} $*" >> "$STUB_LOG"\n${extra}`;

function prepare(): { driver: string; log: string } {
  const bin = join(folder, 'bin');
  const later = join(folder, 'later');
  mkdirSync(bin);
  mkdirSync(later);
  const files: [string, string][] = [
    // Docker appears only once dnf has "installed" it, as on a fresh Amazon Linux.
    [join(bin, 'dnf'), stub('dnf', `cp "${later}/docker" "${bin}/docker"\n`)],
    // Like the real one, `docker login --password-stdin` reads the token it is piped.
    [
      join(later, 'docker'),
      stub('docker', '[[ "$*" != *--password-stdin* ]] || cat > /dev/null\n'),
    ],
    [join(bin, 'systemctl'), stub('systemctl')],
    [join(bin, 'aws'), stub('aws', 'echo token\n')],
  ];
  for (const [path, text] of files) {
    writeFileSync(path, text);
    chmodSync(path, 0o755);
  }

  const config = loadConfig({ env: { TICKOPS_BUCKET: 'ftse100-test' }, cwd: folder });
  const tickerList = parseTickerList('ticker\nBARC\nBT.A\n', 'list.csv');
  const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/tickops:1.0';
  writeFileSync(
    join(folder, 'user-data.sh'),
    renderUserData(machineSpecFrom(config, { image, tickerList })),
  );

  const log = join(folder, 'calls.log');
  const snapshot = (name: string) =>
    `find /etc /usr/local /var/lib -printf '%p %y %m %U:%G\\n' |\n` +
    `  sort > "${folder}/${name}.tree"\n` +
    `find /etc /usr/local /var/lib -type f -exec sha256sum {} + | sort > "${folder}/${name}.sums"`;
  const driver = join(folder, 'driver.sh');
  writeFileSync(
    driver,
    `set -euo pipefail
for target in /etc /usr/local /var/lib; do mount -t tmpfs tmpfs "$target"; done
[ "$(findmnt -n -o FSTYPE /etc)" = tmpfs ] || exit 99
mkdir -p /etc/systemd/system
export PATH="${bin}:$PATH" STUB_LOG="${log}"
bash "${folder}/user-data.sh" > "${folder}/first.out" 2>&1
echo '--- rerun' >> "$STUB_LOG"
${snapshot('first')}
bash "${folder}/user-data.sh" > "${folder}/second.out" 2>&1
${snapshot('second')}
echo '--- timer fires' >> "$STUB_LOG"
/usr/local/libexec/tickops-daily
`,
  );

  return { driver, log };
}

describe.skipIf(reason !== undefined)('the user data run twice by hand (case B14)', () => {
  it('installs the same files the second time and adds no timer, line or unit', () => {
    const { driver, log } = prepare();

    const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', driver], {
      encoding: 'utf8',
    });

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const read = (name: string) => readFileSync(join(folder, name), 'utf8');
    expect(read('second.tree')).toBe(read('first.tree'));
    expect(read('second.sums')).toBe(read('first.sums'));
    expect(read('first.tree')).toContain('/etc/systemd/system/tickops-daily.timer f 644 0:0');
    expect(read('first.tree')).toContain('/var/lib/tickops d 750 1000:1000');
    expect(read('first.tree').match(/\.timer /g)).toHaveLength(1);

    const [first = '', second = '', fired = ''] = readFileSync(log, 'utf8').split(/--- .*\n/);
    expect(first).toContain('dnf install -y docker');
    expect(second).not.toContain('dnf');
    for (const run of [first, second]) {
      expect(run).toContain('systemctl enable --now tickops-daily.timer');
      expect(run).not.toMatch(/docker run/);
    }
    expect(fired).toMatch(/^aws ecr get-login-password --region eu-west-1$/m);
    const run = fired.split('\n').find((line) => line.startsWith('docker run ')) ?? '';
    expect(run.replace(/\d{4}-\d{2}-\d{2}$/, 'DAY')).toBe(
      'docker run --rm --name tickops-daily --env-file /etc/tickops/tickops.env ' +
        '--volume /var/lib/tickops:/data ' +
        '--volume /etc/tickops/tickers.csv:/config/tickers.csv:ro ' +
        '123456789012.dkr.ecr.eu-west-1.amazonaws.com/tickops:1.0 --run-today --date DAY',
    );
  });
});
