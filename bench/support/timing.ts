/** Timing helpers: every figure in the tables is a median of a few timed runs. */
import { performance } from 'node:perf_hooks';

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const high = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const low = sorted[Math.ceil(sorted.length / 2) - 1] ?? 0;

  return (low + high) / 2;
}

/** Run `prepare` (untimed), then the action it returns (timed), `runs` times; median seconds. */
export async function measure(
  runs: number,
  prepare: (run: number) => Promise<() => Promise<void>>,
): Promise<number> {
  const seconds: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const act = await prepare(run);
    const started = performance.now();
    await act();
    seconds.push((performance.now() - started) / 1000);
  }

  return median(seconds);
}
