import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithMoto } from '../support/moto.js';
import { startSourceServer, type SourceServer } from '../support/source-server.js';
import { shardOf } from '../../src/services/shard.js';
import { runTickops, tickopsBinary } from '../support/cli.js';
import { hasTmux, startTmux, type TmuxSession } from '../support/tmux.js';

const date = '2024-10-25';

describeWithMoto('the console in a real terminal (tmux)', (getMoto) => {
  let source: SourceServer;
  let folder: string;
  let session: TmuxSession | undefined;

  beforeAll(async () => {
    if (!(await hasTmux())) throw new Error('tmux is required for the console end-to-end test');
    source = await startSourceServer({ date, unknownSymbols: ['NOSUCH.L'], latencyMs: 30 });
    folder = await mkdtemp(join(tmpdir(), 'tickops-tmux-'));
    await writeFile(join(folder, 'tickers.txt'), 'BARC\nVOD\nBT.A\nNOSUCH\nLLOY\n');
  });

  afterAll(async () => {
    await session?.kill();
    await source.close();
    await rm(folder, { recursive: true, force: true });
  });

  const open = async (columns: number, rows: number, bucket: string) => {
    await session?.kill();
    session = await startTmux(
      ['node', tickopsBinary],
      {
        ...getMoto().env,
        TICKOPS_BUCKET: bucket,
        TICKOPS_SOURCE_URL: source.url,
        TICKOPS_TICKERS: join(folder, 'tickers.txt'),
        TICKOPS_DATA_DIR: join(folder, `data-${bucket}`),
        TICKOPS_NOW: `${date}T11:00:00Z`,
      },
      { columns, rows },
    );

    return session;
  };

  it.each([
    [80, 24],
    [160, 50],
  ])(
    'runs a day, finds the uploaded CSV and its chart, and quits cleanly at %ix%i',
    async (columns, rows) => {
      const tty = await open(columns, rows, `tickops-tmux-${columns}`);

      const first = await tty.waitFor(/no run yet: enter starts the run for 2024-10-25/);
      expect(first.split('\n')[0]).toMatch(/tickops +1 Run +2 Bucket +3 Coverage +4 IAM +5 EC2/);
      await tty.waitFor(/2024-10-25 LON open · eu-west-1 · s3:\/\/tickops-tmux/);

      await tty.send('Enter');
      const finished = await tty.waitFor(/2024-10-25 finished/);
      expect(finished).toMatch(/^BARC +done +510 /m);
      expect(finished).toMatch(/^BT\.A +done +510 /m);
      expect(finished).toMatch(/^NOSUCH +failed .*no data/m);
      expect(finished).toMatch(/5\/5 · 1 failed/);

      await tty.send('2');
      await tty.waitFor(/^bars\/$/m);
      await tty.send('Enter');
      await tty.waitFor(/^20241025\/$/m);
      await tty.send('Enter');
      await tty.waitFor(/^BARC\.csv +\d/m);
      await tty.send('Enter');
      const preview = await tty.waitFor(/510 bars · high/);
      expect(preview).toContain('bars/20241025/BARC.csv');
      expect(preview).toMatch(/[╭╮╰╯│─┤┼]/);
      expect(preview).toMatch(/^time,open,high,low,close,volume$/m);

      await tty.send('?');
      await tty.waitFor(/Bucket keys/);
      await tty.send('Escape', 'q');
      await expect.poll(() => tty.exitStatus(), { timeout: 10_000 }).toBe(0);

      for (const screen of [first, finished, preview]) {
        const lines = screen.split('\n');
        expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(columns);
      }
    },
  );

  it('follows a resize without garbage', async () => {
    const tty = await open(100, 30, 'tickops-tmux-resize');
    await tty.waitFor(/no run yet/);

    await tty.resize(60, 15);
    const screen = await tty.waitFor(/^tickops +1 Run/m);

    const lines = screen.split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(60);
    expect(lines.filter((line) => /tickops +1 Run/.test(line))).toHaveLength(1);
    await tty.send('q');
    await expect.poll(() => tty.exitStatus(), { timeout: 10_000 }).toBe(0);
  });

  it("leaves the operator's scrollback alone, resize included", async () => {
    await session?.kill();
    session = await startTmux(
      ['sh', '-c', 'seq 1 300; exec node "$0"', tickopsBinary],
      {
        ...getMoto().env,
        TICKOPS_BUCKET: 'tickops-tmux-history',
        TICKOPS_SOURCE_URL: source.url,
        TICKOPS_TICKERS: join(folder, 'tickers.txt'),
        TICKOPS_DATA_DIR: join(folder, 'data-history'),
      },
      { columns: 80, rows: 24 },
    );
    const tty = session;
    await tty.waitFor(/no run yet/);
    const before = await tty.historySize();

    await tty.resize(60, 15);
    await tty.waitFor(/^tickops +1 Run/m);
    await tty.resize(80, 24);
    await tty.send('q');
    await expect.poll(() => tty.exitStatus(), { timeout: 10_000 }).toBe(0);

    expect(before).toBeGreaterThan(250);
    expect(await tty.historySize()).toBeGreaterThanOrEqual(before);
    expect(await tty.capture()).toMatch(/^300$/m);
  });

  it('follows a day run as shards elsewhere, from the first part to the merge', async () => {
    const bucket = 'tickops-tmux-cloud';
    // Each shard as a Batch child runs it: its own disk, the index from the array.
    const shard = (index: number) =>
      runTickops(['--run-today', '--shards', '2'], {
        ...getMoto().env,
        AWS_BATCH_JOB_ARRAY_INDEX: String(index),
        TICKOPS_BUCKET: bucket,
        TICKOPS_SOURCE_URL: source.url,
        TICKOPS_TICKERS: join(folder, 'tickers.txt'),
        TICKOPS_DATA_DIR: join(folder, `cloud-shard-${index}`),
        TICKOPS_NOW: `${date}T17:00:00Z`,
      });
    const nosuchShard = shardOf('NOSUCH', 2);
    expect((await shard(nosuchShard)).exitCode).toBe(1);

    const tty = await open(80, 24, bucket);
    await tty.waitFor(/no run yet/);
    await tty.send('c');
    const half = await tty.waitFor(/cloud 2024-10-25: shards 1\/2/);
    expect(half).toMatch(/^NOSUCH +\d\/2 +failed +.*no data/m);
    expect(half).toContain('not merged yet');

    expect((await shard(1 - nosuchShard)).exitCode).toBe(0);
    const whole = await tty.waitFor(
      /shards 2\/2 · tickers 5\/5 · 1 failed · merged: complete/,
      15_000,
    );
    expect(whole).toMatch(/^BARC +\d\/2 +done +510 /m);
    expect(Math.max(...whole.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);

    await tty.send('Escape');
    await tty.waitFor(/no run yet/);
    await tty.send('q');
    await expect.poll(() => tty.exitStatus(), { timeout: 10_000 }).toBe(0);
  }, 60_000);
});
