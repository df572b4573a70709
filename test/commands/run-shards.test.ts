/**
 * `tickops --run-today --shards 8 --local` end to end: the real binary, its shard children, the
 * local source server and moto. Two scales, because moto takes about 160 PUTs a second here:
 * 5,000 tickers (10,000 objects) against moto alone took 65 s, so the 5,000-ticker run goes to
 * a folder sink (`--local-sink`, the same uploader and merge), and the S3 run, with its kill and
 * rerun, uses 240 tickers.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatManifest, type ManifestEntry } from '../../src/services/manifest.js';
import { shardOf } from '../../src/services/shard.js';
import { runTickops, tickopsBinary } from '../support/cli.js';
import { createMotoS3Client, describeWithMoto } from '../support/moto.js';
import { startS3FaultProxy } from '../support/s3-fault-proxy.js';
import { londonManifest } from '../support/shard-parts.js';
import { startSourceServer, type SourceServer } from '../support/source-server.js';

const date = '2024-10-25';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tickops-shards-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function symbolsOf(count: number, prefix: string): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(4, '0')}`);
}

/** The manifest a whole-list run would write, from the entry files the shards committed. */
async function manifestFromEntries(data: string): Promise<string> {
  const entries = join(data, '20241025/entries');
  const names = (await readdir(entries)).filter((name) => name.endsWith('.json'));
  const tickers = await Promise.all(
    names.map(async (name) => JSON.parse(await readFile(join(entries, name), 'utf8'))),
  );

  return formatManifest(londonManifest(date, tickers as ManifestEntry[]));
}

function expectedKeys(symbols: readonly string[], shards: number): string[] {
  return [
    ...symbols.flatMap((symbol) => [`bars/20241025/${symbol}.csv`, `raw/20241025/${symbol}.json`]),
    ...Array.from({ length: shards }, (_, index) => `manifests/20241025/parts/${index}-of-8.json`),
    'manifests/20241025.json',
  ].sort();
}

/**
 * Full trading days (510 bars) take about 6 s longer to build and 9 s longer to run than the
 * two-hour sessions the suite uses; TICKOPS_SCALE_FULL_DAY=1 measures them, as the design note
 * does (docs/scale-out.md).
 */
const fullDay = process.env.TICKOPS_SCALE_FULL_DAY === '1';
const timeBinary = '/usr/bin/time';

describe('5,000 tickers in 8 local shards', () => {
  const symbols = symbolsOf(5000, 'T');
  let source: SourceServer;

  beforeAll(async () => {
    const session = fullDay ? {} : { sessionOpenMinute: 8 * 60, sessionCloseMinute: 10 * 60 };
    source = await startSourceServer({ date, latencyMs: 2, ...session });
    // Building 5,000 bodies costs seconds of CPU; keep it out of the run being measured.
    await source.warm(symbols);
  }, 60_000);
  afterAll(async () => {
    await source.close();
  });

  it('stores every ticker exactly once and merges an exact manifest', async () => {
    const list = join(folder, 'five-thousand.txt');
    await writeFile(list, `${symbols.join('\n')}\n`);
    const data = join(folder, 'data-5000');
    const sink = join(folder, 'sink-5000');
    const args = [
      '--run-today',
      '--shards',
      '8',
      '--local',
      '--tickers',
      list,
      '--local-sink',
      sink,
    ];
    // GNU time adds up the CPU of the shards too (they are its grandchildren, all waited for).
    const timed = existsSync(timeBinary) ? [timeBinary, '-f', 'cpu %U %S', 'node'] : ['node'];
    const started = Date.now();

    const result = await execa(timed[0]!, [...timed.slice(1), tickopsBinary, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_EC2_METADATA_DISABLED: 'true',
        TICKOPS_SOURCE_URL: source.url,
        TICKOPS_DATA_DIR: data,
        TICKOPS_NOW: `${date}T17:00:00Z`,
        TICKOPS_BUCKET: 'scale',
      },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      cwd: folder,
    });
    const wallMs = Date.now() - started;

    expect(result.stderr.replace(/^cpu .*$/m, '').trim()).toBe('');
    expect(result.exitCode).toBe(0);
    const files = await readdir(join(sink, 'scale'), { recursive: true, withFileTypes: true });
    const keys = files
      .filter((entry) => entry.isFile())
      .map((entry) => relative(join(sink, 'scale'), join(entry.parentPath, entry.name)))
      .map((path) => path.split(sep).join('/'))
      .sort();
    expect(keys).toEqual(expectedKeys(symbols, 8));

    const merged = await readFile(join(sink, 'scale/manifests/20241025.json'), 'utf8');
    const tickers = (JSON.parse(merged).tickers as ManifestEntry[]).map((entry) => entry.ticker);
    expect(tickers).toEqual([...symbols].sort());
    expect(merged).toBe(await manifestFromEntries(data));
    expect(source.requests.length).toBe(symbols.length);

    const seconds = [...result.stdout.matchAll(/^\[\d\/8\] .* in (\d+\.\d)s$/gm)].map((match) =>
      Number(match[1]),
    );
    expect(seconds).toHaveLength(8);
    const cpu = /^cpu ([\d.]+) ([\d.]+)$/m.exec(result.stderr);
    const cpuSeconds = cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined;
    // The figures docs/scale-out.md starts from.
    console.info(
      `5,000 tickers (${fullDay ? 'full days' : 'two-hour sessions'}) in 8 local shards: ` +
        `${(wallMs / 1000).toFixed(1)} s wall, shards ${Math.min(...seconds)} to ` +
        `${Math.max(...seconds)} s each` +
        (cpuSeconds === undefined
          ? ''
          : `, ${cpuSeconds.toFixed(1)} CPU-s (${(cpuSeconds / 5).toFixed(1)} ms a ticker)`),
    );
  }, 120_000);
});

describeWithMoto('8 local shards against S3 (moto), a shard killed and rerun', (getMoto) => {
  const symbols = [...symbolsOf(240, 'S'), 'NOSUCH'];
  const bucket = 'tickops-shards';
  let source: SourceServer;
  let env: Record<string, string>;
  let list: string;

  beforeAll(async () => {
    source = await startSourceServer({ date, latencyMs: 20, unknownSymbols: ['NOSUCH.L'] });
    await source.warm(symbols.slice(0, -1));
    list = join(folder, 'two-hundred-forty.txt');
    await writeFile(list, `${symbols.join('\n')}\n`);
  });
  afterAll(async () => {
    await source.close();
  });

  const s3 = () => createMotoS3Client(getMoto());
  async function listing(): Promise<Map<string, string>> {
    const objects = new Map<string, string>();
    for await (const page of paginateListObjectsV2({ client: s3() }, { Bucket: bucket })) {
      for (const item of page.Contents ?? []) {
        objects.set(item.Key ?? '', `${item.ETag} ${item.LastModified?.toISOString()}`);
      }
    }
    return objects;
  }
  const dayManifest = async () => {
    const reply = await s3().send(
      new GetObjectCommand({ Bucket: bucket, Key: 'manifests/20241025.json' }),
    );
    return reply.Body?.transformToString();
  };
  const shards = () =>
    runTickops(['--run-today', '--shards', '8', '--local', '--tickers', list], env, {
      cwd: folder,
    });

  it('lands every ticker once; a killed shard rerun changes no other object', async () => {
    const data = join(folder, 'data-moto');
    env = {
      ...getMoto().env,
      TICKOPS_BUCKET: bucket,
      TICKOPS_SOURCE_URL: source.url,
      TICKOPS_DATA_DIR: data,
      TICKOPS_NOW: `${date}T17:00:00Z`,
    };

    const first = await shards();
    const before = await listing();
    const manifestBefore = await dayManifest();

    // The failed ticker's shard exits 1, so the run does: the worst of its shards.
    expect(first.exitCode).toBe(1);
    expect(first.stdout).toMatch(/^\[\d\/8\] failed +NOSUCH +no data/m);
    expect(first.stdout).toContain('merge 2024-10-25: 8 of 8 shards; 241 tickers: 240 done');
    expect(first.stdout).toMatch(/^manifest manifests\/20241025\.json uploaded$/m);
    expect([...before.keys()].sort()).toEqual(expectedKeys(symbols.slice(0, -1), 8));
    expect(manifestBefore).toBe(await manifestFromEntries(data));

    // Shard 3 again, forced to fetch and upload everything, killed while it works.
    const victimShard = shardOf('S0000', 8);
    const victim = execa(
      'node',
      [tickopsBinary, '--run-today', '--tickers', list, '--shard', `${victimShard}/8`, '--force'],
      {
        env: { ...env, TICKOPS_CONCURRENCY: '2' },
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
      },
    );
    await new Promise<void>((resolve) => {
      victim.stdout?.on('data', (chunk: Buffer) => {
        if (/^done /m.test(chunk.toString())) resolve();
      });
    });
    victim.kill('SIGKILL');
    const killed = await victim;
    const rerun = await shards();
    const after = await listing();

    expect(killed.signal).toBe('SIGKILL');
    expect(rerun.exitCode).toBe(1);
    expect(rerun.stdout).toMatch(/^manifest manifests\/20241025\.json unchanged$/m);
    expect(await dayManifest()).toBe(manifestBefore);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, stamp] of before) {
      const ticker = /^(?:raw|bars)\/20241025\/(.+)\.\w+$/.exec(key)?.[1];
      const mine = ticker !== undefined && shardOf(ticker, 8) === victimShard;
      // The killed shard re-put some objects with the same bytes (same ETag); nothing else moved.
      if (mine) expect(after.get(key)?.split(' ')[0]).toBe(stamp.split(' ')[0]);
      else expect(after.get(key)).toBe(stamp);
    }
    const uploads = [...rerun.stdout.matchAll(/^\[(\d)\/8\] .*; uploaded (\d+),/gm)];
    for (const [, shard, count] of uploads) {
      if (Number(shard) !== victimShard) expect(count).toBe('0');
    }
  }, 90_000);
});

describeWithMoto('cloud shards, each on a disk of its own: the last one merges', (getMoto) => {
  const symbols = symbolsOf(30, 'C');
  const bucket = 'tickops-cloud-shards';
  let source: SourceServer;
  let list: string;

  beforeAll(async () => {
    source = await startSourceServer({ date, latencyMs: 0 });
    list = join(folder, 'thirty.txt');
    await writeFile(list, `${symbols.join('\n')}\n`);
  });
  afterAll(async () => {
    await source.close();
  });

  /** One shard as AWS Batch runs it: its index from the array, a fresh data folder. */
  const shard = (index: number, endpoint: string) =>
    runTickops(['--run-today', '--tickers', list, '--shards', '3'], {
      ...getMoto().env,
      AWS_ENDPOINT_URL: endpoint,
      AWS_BATCH_JOB_ARRAY_INDEX: String(index),
      TICKOPS_BUCKET: bucket,
      TICKOPS_SOURCE_URL: source.url,
      TICKOPS_DATA_DIR: join(folder, `cloud-shard-${index}`),
      TICKOPS_NOW: `${date}T17:00:00Z`,
    });

  it('merges when the last part lands, and says how far the others got', async () => {
    const { endpoint } = getMoto();
    const first = await shard(1, endpoint);
    const second = await shard(0, endpoint);
    const last = await shard(2, endpoint);

    expect([first.exitCode, second.exitCode, last.exitCode]).toEqual([0, 0, 0]);
    expect(first.stdout).toContain(
      'merge 2024-10-25: 1 of 3 shards in so far; the last shard to finish merges the day',
    );
    expect(second.stdout).toContain('2 of 3 shards in so far');
    expect(last.stdout).toContain('merge 2024-10-25: 3 of 3 shards; 30 tickers: 30 done');
    expect(last.stdout).toMatch(/^read 2 part\(s\) from the bucket$/m);
    expect(last.stdout).toMatch(/^manifest manifests\/20241025\.json uploaded$/m);

    const reply = await createMotoS3Client(getMoto()).send(
      new GetObjectCommand({ Bucket: bucket, Key: 'manifests/20241025.json' }),
    );
    const merged = JSON.parse((await reply.Body?.transformToString()) ?? '{}') as {
      tickers: ManifestEntry[];
    };
    expect(merged.tickers.map((entry) => entry.ticker)).toEqual([...symbols].sort());
  }, 60_000);

  it('keeps its own exit code when it may not read the parts, and says how to merge', async () => {
    const proxy = await startS3FaultProxy(getMoto().endpoint, [
      {
        method: 'GET',
        path: /\/parts\//,
        fault: { kind: 'reply', status: 403, code: 'AccessDenied', message: 'Access Denied' },
        times: Infinity,
      },
    ]);
    try {
      const rerun = await shard(1, proxy.url);

      expect(rerun.exitCode).toBe(0);
      expect(rerun.stderr).toBe('');
      expect(rerun.stdout).toMatch(
        /^merge 2024-10-25 not done: access denied: s3:GetObject on s3:\/\/tickops-cloud-shards\/manifests\/20241025\/parts\/\d-of-3\.json; .*tickops --run-today --merge$/m,
      );
      expect(proxy.fired[0]).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
