/** Waiting for a frame: generous, because a loaded 2-core CI machine redraws slowly. */
import { vi } from 'vitest';

/** vi.waitFor with a 5 s limit instead of 1 s. */
export function waitFor<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 5_000, interval: 20 });
}
