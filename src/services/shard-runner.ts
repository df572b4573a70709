/**
 * N shards of one day as N child processes on this host (`--run-today --shards N --local`).
 * Each child is the same binary run as `--run-today --shard K/N`, exactly what an AWS Batch
 * array child or an ECS task runs, so the local run tests the cloud's code path. The children
 * share the data directory: each writes only its own tickers' entry files, its own part and
 * its own upload ledger, so nothing they write collides. No shell is involved.
 */
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { ExitCode } from './errors.js';
import { allShards, shardLabel, type Shard } from './shard.js';

/** One line a child printed. */
export interface ShardLine {
  readonly shard: Shard;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/** How one child ended. */
export interface ShardExit {
  readonly shard: Shard;
  /** The child's exit code; undefined when a signal ended it. */
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly durationMs: number;
}

/** What to start and where its output goes. */
export interface LocalShardsOptions {
  readonly count: number;
  /** The program, normally `process.execPath` (node). */
  readonly command: string;
  /** The child's arguments for a shard, the script first. */
  readonly argsFor: (shard: Shard) => readonly string[];
  /** Added to the inherited environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly onLine: (line: ShardLine) => void;
  /** Aborting sends every child SIGTERM, which each answers by finishing its files and 130. */
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  /** Shards running at once; the others wait their turn. See defaultMaxRunning. */
  readonly maxRunning?: number;
}

/**
 * Shards mostly wait on the source, so more run well than there are cores: twice the cores,
 * and never fewer than 8 (the shard count the docs use), so `--shards 8` all run at once.
 */
export function defaultMaxRunning(): number {
  return Math.max(8, availableParallelism() * 2);
}

/**
 * Run every shard, `maxRunning` at a time, and resolve when all have ended. A shard is a whole
 * process (Node, its SDK clients, its downloads), so a thousand at once would swamp the host;
 * a shard not yet started when the run is stopped is not started, and ends as interrupted.
 */
export async function runLocalShards(options: LocalShardsOptions): Promise<ShardExit[]> {
  const now = options.now ?? Date.now;
  const running = new Set<{ kill(signal: NodeJS.Signals): boolean }>();
  // Each child leads its own process group, so a Ctrl-C at the terminal reaches only this
  // process, which passes one SIGTERM on; two would make a child quit without finishing its
  // files. Detached children outlive us, so should we exit first they are killed here.
  const killAll = () => running.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killAll);

  const queue = allShards(options.count);
  const exits: ShardExit[] = [];
  const runOne = async (shard: Shard): Promise<ShardExit> => {
    const started = now();
    const child = execa(options.command, [...options.argsFor(shard)], {
      detached: true,
      // The settings override any inherited TICKOPS_SHARD_COUNT, which would contradict N.
      env: {
        ...options.env,
        TICKOPS_SHARD: shardLabel(shard),
        TICKOPS_SHARD_COUNT: String(shard.count),
      },
      stdin: 'ignore',
      buffer: false,
      reject: false,
      // A stopped shard finishes the files in progress however long that takes; a second
      // Ctrl-C ends this process, and the exit hook above then kills the shards outright.
      forceKillAfterDelay: false,
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    });
    const streams = [
      forwardLines(child.stdout, shard, 'stdout', options.onLine),
      forwardLines(child.stderr, shard, 'stderr', options.onLine),
    ];
    running.add(child);
    const result = await child;
    running.delete(child);
    await Promise.all(streams);

    return {
      shard,
      exitCode: result.exitCode,
      signal: result.signal,
      durationMs: now() - started,
    };
  };
  const worker = async () => {
    for (let shard = queue.shift(); shard; shard = queue.shift()) {
      exits.push(
        options.signal?.aborted
          ? { shard, exitCode: ExitCode.interrupted, signal: undefined, durationMs: 0 }
          : await runOne(shard),
      );
    }
  };
  const workers = Math.max(
    1,
    Math.min(options.maxRunning ?? availableParallelism(), options.count),
  );
  await Promise.all(Array.from({ length: workers }, worker));
  process.off('exit', killAll);

  return exits.sort((a, b) => a.shard.index - b.shard.index);
}

function forwardLines(
  stream: NodeJS.ReadableStream | null,
  shard: Shard,
  name: ShardLine['stream'],
  onLine: LocalShardsOptions['onLine'],
): Promise<void> {
  if (!stream) return Promise.resolve();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (text) => onLine({ shard, stream: name, text }));

  return new Promise((resolve) => lines.once('close', resolve));
}

// Worst first: an interrupted run says so above all; then the errors nobody can retry away
// (credentials and permissions, then usage); then failed tickers.
const severity: readonly number[] = [
  ExitCode.interrupted,
  ExitCode.denied,
  ExitCode.usage,
  ExitCode.partial,
];

/** The exit code of a set of shards: the worst of theirs; a child killed by a signal is 1. */
export function worstExitCode(codes: readonly (number | undefined)[]): number {
  const normal = codes.map((code) =>
    code === undefined || (code !== ExitCode.ok && !severity.includes(code))
      ? ExitCode.partial
      : code,
  );

  return severity.find((code) => normal.includes(code)) ?? ExitCode.ok;
}

// The parent's own flags, and those each child is given afresh (`--shard`, `--date`).
const parentFlags = new Set(['--local', '--merge', '--no-merge']);
const parentOptions = new Set(['--shards', '--shard', '--date']);

/** The parent's arguments a child keeps: everything but the sharding and the date. */
export function shardChildArgs(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const name = arg.split('=')[0] ?? arg;
    if (parentFlags.has(arg)) continue;
    if (parentOptions.has(name)) {
      // `--shards 8` takes the next argument along; `--shards=8` is one.
      if (!arg.includes('=')) index += 1;
      continue;
    }
    kept.push(arg);
  }

  return kept;
}

/** A child's line as the parent prints it: `[3/8] ` before text, a `shard` field in JSON. */
export function formatShardLine(line: ShardLine, json: boolean): string {
  const label = shardLabel(line.shard);
  if (json && line.stream === 'stdout' && line.text.startsWith('{')) {
    try {
      const value = JSON.parse(line.text) as Record<string, unknown>;
      return JSON.stringify({ shard: label, ...value });
    } catch {
      // Not JSON after all: prefixed like any other line.
    }
  }

  return `[${label}] ${line.text}`;
}
