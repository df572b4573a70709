import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTickops, tickopsBinary } from '../support/cli.js';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tickops-edges-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const noStack = /\n\s+at |Error: .*\n.*node:internal/;

describe('tickops without a terminal (case B01)', () => {
  it('prints one hint line and exits 2 when stdin is a pipe', async () => {
    const result = await runTickops([], {}, { input: 'AAPL\n', stdin: 'pipe' });

    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/needs a terminal.*--run-today/);
    expect(result.stderr).not.toMatch(/setRawMode|Raw mode/i);
  });

  it('prints the same hint when stdin is /dev/null', async () => {
    const result = await runTickops([], {}, { stdin: { file: '/dev/null' } });

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--run-today/);
  });
});

describe('tickops --run-today on bad input', () => {
  it.each([
    [
      { TICKOPS_CONCURRENCY: 'many' },
      /^tickops: TICKOPS_CONCURRENCY: expected a whole number from 1 to 64, got 'many'$/m,
    ],
    [
      { TICKOPS_SOURCE: 'reuters' },
      /^tickops: TICKOPS_SOURCE: expected one of yahoo, google, replay, simulated/m,
    ],
    [
      { TICKOPS_TICKERS: '/nonexistent/list.csv' },
      /^tickops: ticker list \/nonexistent\/list\.csv cannot be read \(ENOENT\)$/m,
    ],
  ])('exits 2 with one line naming the setting for %j', async (env, message) => {
    const result = await runTickops(['--run-today', '--local-sink', folder], {
      ...env,
      TICKOPS_SOURCE_URL: 'http://127.0.0.1:9',
    });

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(noStack);
  });

  it('names the file and line of a malformed symbol', async () => {
    const list = join(folder, 'list.txt');
    await writeFile(list, 'BARC\nBT A\n');

    const result = await runTickops(['--run-today', '--tickers', list, '--local-sink', folder], {});

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`tickops: ${list} line 2: 'BT A' is not a ticker symbol`);
  });

  it('rejects an impossible --date and a yahoo date outside its 1-minute history', async () => {
    const bad = await runTickops(
      ['--run-today', '--date', '2024-02-30', '--local-sink', folder],
      {},
    );
    const old = await runTickops(['--run-today', '--date', '2024-01-02', '--local-sink', folder], {
      TICKOPS_NOW: '2024-10-25T17:00:00Z',
    });

    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe(
      "tickops: --date: '2024-02-30' is not a day of the calendar\n" +
        '  next: give a trading date such as 2024-10-25, or leave --date out for today',
    );
    expect(old.exitCode).toBe(2);
    expect(old.stderr).toMatch(
      /^tickops: yahoo cannot serve 2024-01-02: .*30 days.*\n {2}next: choose a date the source keeps/m,
    );
  });

  it('rejects an unknown flag with exit 2', async () => {
    const result = await runTickops(['--run-today', '--bukcet', 'x'], {});

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--bukcet'/);
  });

  it('exits 3 with what to do when there are no AWS credentials at all', async () => {
    await writeFile(join(folder, 'one.txt'), 'BARC\n');

    const result = await runTickops(
      [
        '--run-today',
        '--source',
        'simulated',
        '--date',
        '2024-10-25',
        '--data-dir',
        folder,
        '--tickers',
        join(folder, 'one.txt'),
      ],
      { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    );

    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(
      /^tickops: AWS credentials were not accepted for s3:ListBucket on bucket ftse100: CredentialsProviderError$/m,
    );
    expect(result.stderr).toMatch(/next: set AWS_PROFILE/);
  });

  it('keeps --run-today --help fast and free of the console libraries', async () => {
    const result = await runTickops(['--run-today', '--help'], {});

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/--run-today/);
  });

  it('runs the demo preset to a local folder with no AWS at all', async () => {
    const result = await runTickops(['--run-today', '--demo', '--data-dir', folder], {});

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^done +AAPL +391 bars/m);
    expect(result.stdout).toMatch(/^failed +SI +no data/m);
    expect(result.stdout).toContain('(no S3)');
  });
});

describe('tickops --run-today | head -1', () => {
  it('finishes the day when its output is closed, and says so on stderr', async () => {
    const symbols = Array.from({ length: 60 }, (_, index) => `T${String(index).padStart(2, '0')}`);
    await writeFile(join(folder, 'sixty.txt'), `${symbols.join('\n')}\n`);
    const child = spawn(
      process.execPath,
      [
        tickopsBinary,
        '--run-today',
        '--tickers',
        join(folder, 'sixty.txt'),
        '--local-sink',
        join(folder, 'bucket'),
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_EC2_METADATA_DISABLED: 'true',
          TICKOPS_SOURCE: 'simulated',
          TICKOPS_DATA_DIR: join(folder, 'data'),
          TICKOPS_NOW: '2024-10-25T17:00:00Z',
          TICKOPS_CONCURRENCY: '2',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Like `head -1`: read the first line, then close the pipe.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();

    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(exitCode).toBe(0);
    expect(stderr).toBe('tickops: the output was closed; the run goes on without printing\n');
    const bars = await readdir(join(folder, 'bucket', 'ftse100', 'bars', '20241025'));
    expect(bars).toHaveLength(60);
    await expect(readdir(join(folder, 'bucket', 'ftse100', 'manifests'))).resolves.toContain(
      '20241025.json',
    );
  });
});

describe('two runs of one day on one disk', () => {
  it('refuses the second while the first holds the day, naming it, and runs once it is gone', async () => {
    const data = join(folder, 'data');
    const lock = join(data, '20241025', '.run.lock');
    await mkdir(join(data, '20241025'), { recursive: true });
    // This test process stands for the first run: alive, on this host.
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'x' }));
    await writeFile(join(folder, 'one.txt'), 'BARC\n');
    const run = () =>
      runTickops(
        [
          '--run-today',
          '--local-sink',
          join(folder, 'bucket'),
          '--tickers',
          join(folder, 'one.txt'),
        ],
        {
          TICKOPS_SOURCE: 'simulated',
          TICKOPS_DATA_DIR: data,
          TICKOPS_NOW: '2024-10-25T17:00:00Z',
        },
      );

    const second = await run();
    await rm(lock);
    const later = await run();

    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `^tickops: the run of 2024-10-25 is already under way \\(pid ${process.pid} on `,
        'm',
      ),
    );
    expect(second.stderr).toMatch(/^ {2}next: let it finish/m);
    expect(later.exitCode).toBe(0);
  });

  it('keeps a whole run and shards of the same day apart, both ways', async () => {
    const data = join(folder, 'data');
    const day = join(data, '20241025');
    await mkdir(day, { recursive: true });
    await writeFile(join(folder, 'two.txt'), 'BARC\nVOD\n');
    // Another live process of this host stands for the run already at work.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const held = JSON.stringify({ pid: holder.pid, host: hostname(), startedAt: 'x' });
    const run = (...extra: string[]) =>
      runTickops(
        [
          '--run-today',
          '--local-sink',
          join(folder, 'bucket'),
          '--tickers',
          join(folder, 'two.txt'),
          ...extra,
        ],
        {
          TICKOPS_SOURCE: 'simulated',
          TICKOPS_DATA_DIR: data,
          TICKOPS_NOW: '2024-10-25T17:00:00Z',
        },
      );

    try {
      await writeFile(join(day, '.run.lock'), held);
      const localShards = await run('--shards', '2', '--local');
      const oneShard = await run('--shard', '0/2');
      await rm(join(day, '.run.lock'));
      await writeFile(join(day, '.run.1-of-2.lock'), held);
      const whole = await run();

      expect(localShards.exitCode).toBe(1);
      expect(localShards.stderr).toMatch(/^tickops: the run of 2024-10-25 is already under way/m);
      expect(oneShard.exitCode).toBe(1);
      expect(oneShard.stderr).toMatch(/^tickops: the run of 2024-10-25 is already under way/m);
      expect(whole.exitCode).toBe(1);
      expect(whole.stderr).toMatch(
        /^tickops: a shard of the run of 2024-10-25 is already under way/m,
      );
      // The whole run let go of the day's lock when it found the shard at work.
      await expect(readdir(day)).resolves.toEqual(['.run.1-of-2.lock']);
    } finally {
      holder.kill();
    }
  });
});
