/**
 * Everything the benchmark starts registers how to stop it here; the entry point runs the list
 * in reverse on success, on error and on Ctrl-C, so no server outlives the run.
 */

const cleanups: (() => Promise<unknown>)[] = [];

/** Run `stop` when the benchmark ends, after everything registered later. */
export function onCleanup(stop: () => Promise<unknown>): void {
  cleanups.push(stop);
}

/** Stop everything registered, last first; a failing step is reported and the rest still run. */
export async function cleanUp(): Promise<void> {
  for (const stop of cleanups.splice(0).reverse()) {
    await stop().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
  }
}
