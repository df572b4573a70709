import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMotoS3Client, describeWithMoto } from '../support/moto.js';
import { startSourceServer, type SourceServer } from '../support/source-server.js';
import { runTickops, tickopsBinary } from '../support/cli.js';
import { sha256Hex } from '../../src/services/day-store.js';

const date = '2024-10-25';
const symbols = Array.from({ length: 24 }, (_, index) => `K${String(index).padStart(2, '0')}`);

/** A small seeded generator, so each kill point is the same on every run of the suite. */
function seededDelays(seed: number, count: number, maxMs: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return 150 + (state % maxMs);
  });
}

async function listFilesDeep(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });

  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describeWithMoto('a run killed with SIGKILL and started again', (getMoto) => {
  let source: SourceServer;
  let folder: string;

  beforeAll(async () => {
    source = await startSourceServer({ date, latencyMs: 100 });
    folder = await mkdtemp(join(tmpdir(), 'tickops-kill-'));
  });

  afterAll(async () => {
    await source.close();
    await rm(folder, { recursive: true, force: true });
  });

  it.each(seededDelays(20241025, 20, 1300).map((delay, index) => [index, delay]))(
    'ends with every ticker exactly once after a kill (point %i, %i ms)',
    async (index, delay) => {
      const bucket = `tickops-kill-${index}`;
      const data = join(folder, `data-${index}`);
      const list = join(folder, `tickers-${index}.txt`);
      await writeFile(list, `${symbols.join('\n')}\n`);
      const env = {
        ...getMoto().env,
        PATH: process.env.PATH ?? '',
        AWS_EC2_METADATA_DISABLED: 'true',
        TICKOPS_BUCKET: bucket,
        TICKOPS_SOURCE_URL: source.url,
        TICKOPS_DATA_DIR: data,
        TICKOPS_NOW: `${date}T17:00:00Z`,
        TICKOPS_CONCURRENCY: '2',
        TICKOPS_UPLOAD_CONCURRENCY: '2',
      };

      const victim = execa('node', [tickopsBinary, '--run-today', '--tickers', list], {
        env,
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
      victim.kill('SIGKILL');
      const killed = await victim;
      const rerun = await runTickops(['--run-today', '--tickers', list], env);

      // Downloads alone take 1.2 s (24 tickers, 2 at a time, 100 ms each) after a start-up of about
      // 0.3 s, and the last kill point is at 1.45 s: every kill lands while the run works.
      expect(killed.signal).toBe('SIGKILL');
      expect(rerun.exitCode, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
      expect(rerun.stdout).toContain(
        `${symbols.length} tickers: ${symbols.length} done, 0 empty, 0 failed`,
      );

      const reply = await createMotoS3Client(getMoto()).send(
        new ListObjectsV2Command({ Bucket: bucket }),
      );
      const keys = (reply.Contents ?? []).map((item) => item.Key ?? '').sort();
      const expected = [
        ...symbols.map((symbol) => `bars/20241025/${symbol}.csv`),
        'manifests/20241025.json',
        ...symbols.map((symbol) => `raw/20241025/${symbol}.json`),
      ].sort();
      expect(keys).toEqual(expected);

      const manifest = JSON.parse(await readFile(join(data, '20241025/manifest.json'), 'utf8'));
      expect(manifest.tickers.map((entry: { ticker: string }) => entry.ticker)).toEqual(symbols);
      for (const entry of manifest.tickers as { csv: { file: string; sha256: string } }[]) {
        const csv = await readFile(join(data, '20241025', entry.csv.file));
        expect(sha256Hex(csv)).toBe(entry.csv.sha256);
      }
      const leftovers = (await listFilesDeep(data)).filter((path) => path.includes('.tmp-'));
      expect(leftovers).toEqual([]);
    },
  );
});

describeWithMoto('a run interrupted with Ctrl-C', (getMoto) => {
  it('stops with exit 130, says so in one line, and the next run finishes the day', async () => {
    // Uploads one at a time behind fast downloads: when the signal comes, many uploads are still
    // queued, and their cancellation must not surface as an unhandled rejection.
    const source = await startSourceServer({ date, latencyMs: 60 });
    const folder = await mkdtemp(join(tmpdir(), 'tickops-sigint-'));
    try {
      const list = join(folder, 'tickers.txt');
      await writeFile(list, `${symbols.join('\n')}\n`);
      const env = {
        ...getMoto().env,
        PATH: process.env.PATH ?? '',
        TICKOPS_BUCKET: 'tickops-sigint',
        TICKOPS_SOURCE_URL: source.url,
        TICKOPS_DATA_DIR: join(folder, 'data'),
        TICKOPS_NOW: `${date}T17:00:00Z`,
        TICKOPS_CONCURRENCY: '8',
        TICKOPS_UPLOAD_CONCURRENCY: '1',
      };

      const run = execa('node', [tickopsBinary, '--run-today', '--tickers', list], {
        env,
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
      });
      // Interrupt once the first ticker is finished, so the rerun has something to keep.
      await new Promise<void>((resolve) => {
        run.stdout?.on('data', (chunk: Buffer) => {
          if (/^done /m.test(chunk.toString())) resolve();
        });
      });
      run.kill('SIGINT');
      const interrupted = await run;
      const rerun = await runTickops(['--run-today', '--tickers', list], env);

      expect(interrupted.exitCode).toBe(130);
      expect(interrupted.stderr).toMatch(/^tickops: stopping: finishing files in progress/m);
      expect(interrupted.stderr).toMatch(/^tickops: run interrupted: finished tickers are kept/m);
      expect(interrupted.stderr).not.toMatch(/\n\s+at /);
      expect(rerun.exitCode).toBe(0);
      expect(rerun.stdout).toMatch(/stored earlier [1-9]\d*;/);
      const leftovers = (await listFilesDeep(join(folder, 'data'))).filter((path) =>
        path.includes('.tmp-'),
      );
      expect(leftovers).toEqual([]);
    } finally {
      await source.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describeWithMoto('Ctrl-C while hundreds of uploads are queued', (getMoto) => {
  it('stops with 130 and one line, never an unhandled rejection', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'tickops-sigint-queue-'));
    try {
      const list = join(folder, 'tickers.txt');
      const many = Array.from({ length: 300 }, (_, index) => `Q${String(index).padStart(3, '0')}`);
      await writeFile(list, `${many.join('\n')}\n`);
      // The simulated source answers at once, so uploads pile up behind the downloads.
      const run = execa(
        'node',
        [tickopsBinary, '--run-today', '--source', 'simulated', '--date', date, '--tickers', list],
        {
          env: {
            ...getMoto().env,
            PATH: process.env.PATH ?? '',
            TICKOPS_BUCKET: 'tickops-sigint-queue',
            TICKOPS_DATA_DIR: join(folder, 'data'),
          },
          extendEnv: false,
          reject: false,
          stdin: 'ignore',
        },
      );
      await new Promise<void>((resolve) => {
        run.stdout?.on('data', (chunk: Buffer) => {
          if (/^done /m.test(chunk.toString())) resolve();
        });
      });
      run.kill('SIGINT');
      const interrupted = await run;

      expect(interrupted.stderr).not.toMatch(/\n\s+at /);
      expect(interrupted.exitCode).toBe(130);
      const leftovers = (await listFilesDeep(join(folder, 'data'))).filter((path) =>
        path.includes('.tmp-'),
      );
      expect(leftovers).toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
