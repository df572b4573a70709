import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runTickops, tickopsBinary } from '../support/cli.js';
import { describeWithMoto } from '../support/moto.js';
import { hasTmux, startTmux, type TmuxSession } from '../support/tmux.js';

const account = '123456789012';
const suggested = `ftse100-${account}`;

describeWithMoto('tickops setup in a real terminal (tmux), against moto', (getMoto) => {
  let folder: string;
  let session: TmuxSession | undefined;

  beforeAll(async () => {
    if (!(await hasTmux())) throw new Error('tmux is required for the setup end-to-end test');
    folder = await mkdtemp(join(tmpdir(), 'tickops-setup-tmux-'));
  });

  afterAll(async () => {
    await session?.kill();
    await rm(folder, { recursive: true, force: true });
  });

  const env = () => ({
    ...getMoto().env,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    TICKOPS_DATA_DIR: join(folder, 'data'),
  });

  // The wizard writes tickops.config.json where it runs, so it runs in the test's folder. The
  // shell prints the exit status: tmux 3.3a sometimes leaves the ended process a zombie it
  // never reaps, and then has no status to report (exitStatus() gives NaN).
  const wizard = async () => {
    await session?.kill();
    const command = `cd '${folder}' && node '${tickopsBinary}' setup; echo "exit status $?"`;
    session = await startTmux(['sh', '-c', command], env(), { columns: 80, rows: 24 });
    return session;
  };

  it('creates everything and writes the config; a second run changes nothing', async () => {
    const first = await wizard();
    await first.waitFor(new RegExp(`account +${account}`));
    await first.send('Enter');
    await first.waitFor(/^region: eu-west-1/m);
    await first.send('Enter');
    const bucketStep = await first.waitFor(/suggested: ftse100-\d+ \(s uses it\)/);
    await first.send('s');
    await first.waitFor(new RegExp(`s3://${suggested} does not exist yet`));
    await first.send('Enter');
    await first.waitFor(/least-privilege \(default\) grants only/);
    await first.send('Enter');
    const plan = await first.waitFor(/5\. add role DataProcessor to instance profile/);
    await first.send('Enter');
    await first.waitFor(/apply the plan\? y\/N/);
    await first.send('y');
    const done = await first.waitFor(/done: IAM 5 changed, 0 in place; bucket created; config/);
    await first.send('Enter');
    await first.waitFor(/^exit status 0$/m, 10_000);

    const configPath = join(folder, 'tickops.config.json');
    const written = await stat(configPath);
    const check = await runTickops(['iam', 'check'], env(), { cwd: folder });

    expect(bucketStep).toMatch(/a short name like ftse100 is probably taken by another/);
    expect(plan).toContain(`then: create bucket s3://${suggested} in eu-west-1`);
    expect(done).toMatch(new RegExp(`^created +bucket s3://${suggested}$`, 'm'));
    expect(JSON.parse(await readFile(configPath, 'utf8'))).toEqual({
      bucket: suggested,
      region: 'eu-west-1',
    });
    expect(check.exitCode).toBe(0);
    expect(check.stdout).toContain(`IAM for s3://${suggested} in account ${account}`);

    const second = await wizard();
    await second.waitFor(new RegExp(`account +${account}`));
    await second.send('Enter');
    await second.waitFor(/^region: eu-west-1/m);
    await second.send('Enter');
    await second.waitFor(new RegExp(`s3://${suggested} exists and is yours: setup keeps it`));
    await second.send('Enter');
    await second.waitFor(/least-privilege \(default\)/);
    await second.send('Enter');
    await second.waitFor(/nothing to change: IAM and the bucket are already in place/);
    await second.send('Enter');
    const again = await second.waitFor(/nothing changed: IAM, the bucket and the config file/);
    await second.send('Enter');
    await second.waitFor(/^exit status 0$/m, 10_000);

    expect(again).toMatch(/^unchanged +config /m);
    expect((await stat(configPath)).mtimeMs).toBe(written.mtimeMs);
    for (const screen of [bucketStep, plan, done, again]) {
      const lines = screen.split('\n');
      expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(80);
    }
  });

  it('without a terminal points at --yes and exits 2; --yes sets up unattended', async () => {
    await getMoto().reset();
    const bucket = `tickops-unattended-${account}`;

    const refused = await runTickops(['setup'], env(), { cwd: folder });
    const unattended = await runTickops(['setup', '--yes', '--bucket', bucket], env(), {
      cwd: folder,
    });

    expect(refused.exitCode).toBe(2);
    expect(refused.stderr.trim()).toBe(
      'tickops: the setup wizard needs a terminal; for scripts use tickops setup --yes ' +
        '--bucket NAME [--policy least-privilege|original]',
    );
    expect(unattended.stderr).toBe('');
    expect(unattended.exitCode).toBe(0);
    expect(unattended.stdout).toContain('1. create policy s3_upload');
    expect(unattended.stdout).toMatch(new RegExp(`^created +bucket s3://${bucket}$`, 'm'));
    expect(unattended.stdout).toMatch(/^updated +config .*tickops\.config\.json$/m);
    const config = JSON.parse(await readFile(join(folder, 'tickops.config.json'), 'utf8'));
    expect(config.bucket).toBe(bucket);
  });
});
