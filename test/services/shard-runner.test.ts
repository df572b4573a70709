import { describe, expect, it } from 'vitest';
import {
  formatShardLine,
  runLocalShards,
  shardChildArgs,
  worstExitCode,
  type ShardLine,
} from '../../src/services/shard-runner.js';

describe('worstExitCode', () => {
  it('is the worst of the shards: interrupted, denied, usage, failed tickers, ok', () => {
    expect(worstExitCode([0, 0, 0])).toBe(0);
    expect(worstExitCode([0, 1, 0])).toBe(1);
    expect(worstExitCode([1, 2, 0])).toBe(2);
    expect(worstExitCode([2, 3, 1])).toBe(3);
    expect(worstExitCode([3, 130, 0])).toBe(130);
    expect(worstExitCode([])).toBe(0);
  });

  it('counts a shard killed by a signal, or a crash code, as failed', () => {
    expect(worstExitCode([0, undefined])).toBe(1);
    expect(worstExitCode([0, 137])).toBe(1);
  });
});

describe('shardChildArgs', () => {
  it('drops the sharding and the date, keeps everything else in order', () => {
    const argv = [
      '--run-today',
      '--shards',
      '8',
      '--local',
      '--tickers',
      'list.csv',
      '--date=2024-10-25',
      '--json',
      '--shard',
      '1/8',
      '--shards=8',
    ];

    expect(shardChildArgs(argv)).toEqual(['--run-today', '--tickers', 'list.csv', '--json']);
  });
});

describe('formatShardLine', () => {
  const shard = { index: 3, count: 8 };

  it('prefixes text and adds the shard to JSON lines', () => {
    const text: ShardLine = { shard, stream: 'stdout', text: 'done    BARC' };
    const json: ShardLine = { shard, stream: 'stdout', text: '{"event":"run-finished"}' };

    expect(formatShardLine(text, false)).toBe('[3/8] done    BARC');
    expect(formatShardLine(json, true)).toBe('{"shard":"3/8","event":"run-finished"}');
    expect(formatShardLine({ ...json, stream: 'stderr' }, true)).toBe(
      '[3/8] {"event":"run-finished"}',
    );
  });
});

describe('runLocalShards', () => {
  it('runs a child per shard with its shard set, streams lines, collects exit codes', async () => {
    const lines: ShardLine[] = [];
    const script =
      'const { TICKOPS_SHARD: shard, TICKOPS_SHARD_COUNT: count } = process.env;' +
      'console.log(`shard ${shard} of ${count}`); console.error("warn");' +
      'process.exitCode = Number(process.argv.at(-1));';

    const exits = await runLocalShards({
      count: 3,
      command: process.execPath,
      argsFor: (shard) => ['-e', script, String(shard.index === 1 ? 1 : 0)],
      env: { TICKOPS_SHARD_COUNT: '99' },
      onLine: (line) => lines.push(line),
    });

    expect(exits.map((exit) => exit.exitCode)).toEqual([0, 1, 0]);
    const stdout = lines.filter((line) => line.stream === 'stdout');
    expect(stdout.map((line) => line.text).sort()).toEqual([
      'shard 0/3 of 3',
      'shard 1/3 of 3',
      'shard 2/3 of 3',
    ]);
    expect(lines.filter((line) => line.stream === 'stderr')).toHaveLength(3);
  });

  it('stops every child with SIGTERM when aborted', async () => {
    const stop = new AbortController();
    const script =
      'process.on("SIGTERM", () => process.exit(130)); console.log("up");' +
      'setInterval(() => {}, 1000);';
    let started = 0;

    const exits = await runLocalShards({
      count: 2,
      command: process.execPath,
      argsFor: () => ['-e', script],
      signal: stop.signal,
      onLine: () => {
        started += 1;
        if (started === 2) stop.abort();
      },
    });

    expect(exits.map((exit) => exit.exitCode)).toEqual([130, 130]);
  });

  it('runs at most maxRunning shards at once, and starts none after a stop', async () => {
    const stop = new AbortController();
    const started: number[] = [];
    // Each child lives until stopped, so a second wave can only start after a stop.
    const script =
      'process.on("SIGTERM", () => process.exit(130)); console.log("up");' +
      'setInterval(() => {}, 1000);';

    const exits = await runLocalShards({
      count: 6,
      maxRunning: 2,
      command: process.execPath,
      argsFor: () => ['-e', script],
      signal: stop.signal,
      onLine: (line) => {
        started.push(line.shard.index);
        if (started.length === 2) stop.abort();
      },
    });

    expect(started.sort()).toEqual([0, 1]);
    expect(exits.map((exit) => [exit.shard.index, exit.exitCode])).toEqual([
      [0, 130],
      [1, 130],
      [2, 130],
      [3, 130],
      [4, 130],
      [5, 130],
    ]);
    expect(exits.slice(2).every((exit) => exit.durationMs === 0)).toBe(true);
  });
});
