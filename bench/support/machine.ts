/** What a reader needs to judge the figures: when, on what, from which tree, under what load. */
import { execFile } from 'node:child_process';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { promisify } from 'node:util';

/** The 1, 5 and 15 minute load averages, e.g. `2.23 2.63 2.19`. */
export function formatLoad(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

async function describeTree(): Promise<string> {
  const git = async (args: string[]) => (await promisify(execFile)('git', args)).stdout.trim();
  try {
    const head = await git(['rev-parse', '--short', 'HEAD']);
    const changed = await git(['status', '--porcelain']);
    const dirty = changed === '' ? 'clean' : `${changed.split('\n').length} paths changed`;
    return `tree ${head} (${dirty})`;
  } catch {
    return 'tree unknown (no git)';
  }
}

/** Date, Node, OS, CPU, memory, git tree, and the load average at start and now. */
export async function describeMachine(loadAtStart: string): Promise<string[]> {
  const cpu = cpus();

  return [
    `date ${new Date().toISOString()}, node ${process.version}, ${platform()} ${release()}`,
    `cpu ${cpu[0]?.model ?? 'unknown'} x ${cpu.length}, ` +
      `memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${await describeTree()}`,
    `load average ${loadAtStart} at start, ${formatLoad()} at end (other work skews timings)`,
  ];
}
