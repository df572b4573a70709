/**
 * How the console's process runs, set as it opens and before Ink and React load.
 *
 * React picks its development or production build from NODE_ENV when it is first loaded; unset,
 * an operator would get the development build, which checks and records more on every render
 * (about 10 MB and a few percent of a core in bench/console.bench.mjs). An explicit NODE_ENV is
 * kept, so a developer can still ask for the development build.
 *
 * A run's garbage (responses, bars, CSV text) is short-lived but outlives a young-generation
 * collection while its ticker is written and uploaded, so it is promoted; V8 then lets the old
 * generation grow to up to four times what survived the last full collection before collecting
 * again, and a 500-ticker run peaked at 160–220 MB RSS while the live heap stayed near 20 MB.
 * Growing by half instead keeps it under 150 MB for a few percent of a core more. This is set
 * here, not on the binary's command line, because the scheduled job shares the binary and keeps
 * V8's default trade-off. V8 reads the flag at every full collection, so setting it after
 * start-up takes effect; Node calls setFlagsFromString after start-up unsupported, which is why
 * the benchmark measures the console with exactly this function.
 */
import { setFlagsFromString } from 'node:v8';

/** Percent by which V8 may grow the old generation over what survived the last full GC. */
export const consoleHeapGrowingPercent = 50;

/** Prepare this process for the long-lived console; call before importing Ink or React. */
export function prepareConsoleRuntime(env: NodeJS.ProcessEnv = process.env): void {
  env.NODE_ENV ??= 'production';
  setFlagsFromString(`--heap-growing-percent=${consoleHeapGrowingPercent}`);
}
