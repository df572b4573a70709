import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/services/config.js';
import { ConfigError } from '../../../src/services/errors.js';
import { machineSpecFrom } from '../../../src/services/schedule/machine-spec.js';
import {
  renderRunScript,
  renderServiceUnit,
  renderSessionDateScript,
  renderTimerUnit,
  renderPullScript,
} from '../../../src/services/schedule/units.js';
import {
  encodeUserData,
  renderUserData,
  userDataLimitBytes,
} from '../../../src/services/schedule/user-data.js';
import { loadTickerList } from '../../../src/services/tickers.js';

const folder = mkdtempSync(join(tmpdir(), 'tickops-userdata-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const ftse = fileURLToPath(new URL('../../../lists/ftse100.csv', import.meta.url));
const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/tickops:1.0';
const config = (env: Record<string, string> = {}) => loadConfig({ env, cwd: folder });
const spec = machineSpecFrom(config(), { image, tickerList: await loadTickerList(ftse) });

function syntaxCheck(script: string): string {
  const path = join(folder, `check-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(path, script);
  const result = spawnSync('bash', ['-n', path], { encoding: 'utf8' });

  return result.status === 0 ? 'ok' : result.stderr;
}

/** The script's own lines, without the files it writes (heredoc bodies). */
function outsideHeredocs(script: string): string[] {
  const lines: string[] = [];
  let inside = false;
  for (const line of script.split('\n')) {
    if (inside) inside = line !== 'TICKOPS:END';
    else if (/<<'TICKOPS:END'$/.test(line)) inside = true;
    else lines.push(line);
  }

  return lines;
}

describe('renderUserData (case B14)', () => {
  const script = renderUserData(spec);

  it('installs Docker, settings, scripts, a service and a timer, and pulls the image', () => {
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain('dnf install -y docker');
    expect(script).toContain('systemctl enable --now docker.service');
    expect(script).toContain('put_file /etc/systemd/system/tickops-daily.service 0644');
    expect(script).toContain('put_file /etc/systemd/system/tickops-daily.timer 0644');
    expect(script).toContain('OnCalendar=Mon..Fri 17:00 Europe/London\nPersistent=true\n');
    expect(script).toContain('systemctl enable --now tickops-daily.timer');
    expect(script).toContain(`docker pull --quiet '${image}'`);
  });

  it('leaves the job to the timer: the script itself never runs it', () => {
    const own = outsideHeredocs(script).join('\n');

    expect(own).not.toMatch(/docker run|--run-today|tickops-daily\s*$/m);
    expect(own).not.toMatch(/>>|crontab/);
  });

  it('logs to the journal and runs the container without a terminal', () => {
    const service = renderServiceUnit();
    const run = renderRunScript(spec);

    expect(service).toMatch(/^StandardOutput=journal$/m);
    expect(service).toMatch(/^StandardError=journal$/m);
    expect(service).toMatch(/^Type=oneshot$/m);
    expect(run).toContain('exec docker run --rm --name tickops-daily');
    expect(run).not.toMatch(/\s-(t|i|it|ti)\s|--tty|--interactive/);
    expect(run).toContain(`'${image}' --run-today --date "$day"`);
    expect(run).toContain('--volume /etc/tickops/tickers.csv:/config/tickers.csv:ro');
  });

  it('passes bash -n, as do the scripts it installs', () => {
    expect(syntaxCheck(script)).toBe('ok');
    expect(syntaxCheck(renderSessionDateScript(spec.schedule))).toBe('ok');
    expect(syntaxCheck(renderPullScript(spec))).toBe('ok');
    expect(syntaxCheck(renderRunScript(spec))).toBe('ok');
  });

  it('fits in 16 KB with the FTSE 100 list and is base64 for RunInstances', () => {
    const encoded = encodeUserData(script);

    expect(Buffer.byteLength(script)).toBeLessThan(userDataLimitBytes);
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(script);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('refuses user data over the limit', () => {
    expect(() => encodeUserData(`#!/bin/bash\n${'#'.repeat(userDataLimitBytes)}\n`)).toThrow(
      /EC2 accepts at most 16384/,
    );
  });

  it('is a pure function of the config; settings land in the env file', async () => {
    const list = await loadTickerList(ftse);
    const again = renderUserData(machineSpecFrom(config(), { image, tickerList: list }));
    const other = renderUserData(
      machineSpecFrom(config({ TICKOPS_BUCKET: 'ftse100-123456789012' }), {
        image,
        tickerList: list,
      }),
    );
    const bundled = renderUserData(machineSpecFrom(config(), { image }));

    expect(again).toBe(script);
    const changed = other.split('\n').filter((line, index) => line !== script.split('\n')[index]);
    expect(changed).toEqual(['TICKOPS_BUCKET=ftse100-123456789012']);
    expect(bundled).not.toContain('tickers.csv');
  });

  it('keeps the operator endpoint, profile and credentials off the machine', () => {
    const local = renderUserData(
      machineSpecFrom(
        config({
          TICKOPS_ENDPOINT_URL: 'http://127.0.0.1:5000',
          AWS_PROFILE: 'operator',
          TICKOPS_LOG_LEVEL: 'debug',
        }),
        { image },
      ),
    );

    expect(local).not.toMatch(/127\.0\.0\.1|operator|AWS_ACCESS_KEY|AWS_SECRET|AWS_PROFILE/);
    expect(local).toMatch(/^TICKOPS_LOG_LEVEL=info$/m);
  });
});

describe('machineSpecFrom', () => {
  it.each([
    [undefined, /needs the container image/],
    ['tickops:1.0; rm -rf /', /not a container image reference/],
    ["ghcr.io/x/tickops:'1'", /not a container image reference/],
  ])('refuses image %j', (given, message) => {
    expect(() => machineSpecFrom(config(), { image: given })).toThrow(message);
  });

  it('refuses the replay source, whose folder the machine lacks', () => {
    const replay = config({ TICKOPS_SOURCE: 'replay', TICKOPS_REPLAY_DIR: folder });

    expect(() => machineSpecFrom(replay, { image })).toThrow(ConfigError);
  });

  it('logs in to ECR before pulling only when the image lives there', () => {
    const ghcr = machineSpecFrom(config(), { image: 'ghcr.io/example/tickops:1.0' });

    expect(renderPullScript(spec)).toContain(
      "aws ecr get-login-password --region 'eu-west-1' |\n  docker login --username AWS",
    );
    expect(renderPullScript(ghcr)).not.toContain('ecr');
  });
});

describe('tickops-session-date (the date a run is for)', () => {
  const path = join(folder, 'tickops-session-date');
  writeFileSync(path, renderSessionDateScript(spec.schedule), { mode: 0o755 });
  const dateFor = (instant: string) =>
    execFileSync('bash', [path, `@${Date.parse(instant) / 1000}`], { encoding: 'utf8' }).trim();

  it.each([
    ['the timer at 17:00 GMT on Thu 2024-03-28', '2024-03-28', '2024-03-28T17:00:00Z'],
    ['the timer at 17:00 BST on Tue 2024-04-02', '2024-04-02', '2024-04-02T16:00:00Z'],
    [
      'a catch-up at boot on Thu 08:00, after a stop on Wed at 15:00',
      '2024-03-27',
      '2024-03-28T08:00:00Z',
    ],
    ['a catch-up on Saturday morning', '2024-10-25', '2024-10-26T09:00:00Z'],
    ['a catch-up on Monday morning', '2024-10-25', '2024-10-28T08:00:00Z'],
    ['a catch-up at 00:30 BST on Sat 2024-06-15', '2024-06-14', '2024-06-14T23:30:00Z'],
  ])('%s is for %s', (_what, date, instant) => {
    expect(dateFor(instant)).toBe(date);
  });
});

describe('the unit files under systemd-analyze verify', () => {
  let analyze: string | undefined;
  try {
    analyze = execFileSync('which', ['systemd-analyze'], { encoding: 'utf8' }).trim();
  } catch {
    console.warn('Skipping systemd-analyze verify: systemd-analyze is not installed here.');
  }

  it.skipIf(!analyze)('reports no unknown keys or unparsable settings', () => {
    const units = mkdtempSync(join(folder, 'units-'));
    writeFileSync(join(units, 'tickops-daily.service'), renderServiceUnit());
    writeFileSync(join(units, 'tickops-daily.timer'), renderTimerUnit(spec.schedule));

    const result = spawnSync(
      analyze ?? 'systemd-analyze',
      ['verify', join(units, 'tickops-daily.timer'), join(units, 'tickops-daily.service')],
      { encoding: 'utf8' },
    );

    // Missing docker.service and scripts are facts of this machine, not of the units; syntax
    // problems are reported as `file:line: ...`.
    const complaints = `${result.stdout}\n${result.stderr}`
      .split('\n')
      .filter((line) => line.includes(`${units}/`) && /:\d+:/.test(line));
    expect(complaints).toEqual([]);
  });
});
